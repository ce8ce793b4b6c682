import frappe
from frappe import _

from portal_onboarding.activation import find_invitation, identity_required
from portal_onboarding.constants import ACCOUNT

no_cache = 1


def get_context(context: dict) -> dict:
	"""Only checks the link; the POST endpoints consume it."""
	key = frappe.form_dict.get("key")
	context.title = _("Activate your portal account")
	invitation = find_invitation(key)
	context.valid = invitation is not None
	context.needs_identity = identity_required()
	if invitation and not context.needs_identity:
		context.username = frappe.db.get_value(ACCOUNT, invitation.account, "username")
	context.show_sidebar = False
	context.no_breadcrumbs = True
	return context
