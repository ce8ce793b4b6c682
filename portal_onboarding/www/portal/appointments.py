from frappe import _

from portal_onboarding.portal import records
from portal_onboarding.portal.context import portal_context

no_cache = 1


def get_context(context: dict) -> dict:
	grant = portal_context(context, "/portal/appointments", "Appointments")
	context.title = _("Appointments")
	context.appointments = records.appointments(grant.patient)
	return context
