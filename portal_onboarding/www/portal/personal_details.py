import frappe
from frappe import _

from portal_onboarding.portal import records
from portal_onboarding.portal.context import portal_context

no_cache = 1


def get_context(context: dict) -> dict:
	grant = portal_context(context, "/portal/personal-details")
	if grant is None or grant.awaiting_assent:
		raise frappe.PermissionError(_("This part of the portal is not available to you."))
	context.title = _("Personal details")
	context.details = records.personal_details(grant.patient)
	context.can_edit = grant.is_self
	return context
