from frappe import _

from portal_onboarding.portal import records
from portal_onboarding.portal.context import portal_context

no_cache = 1


def get_context(context: dict) -> dict:
	grant = portal_context(context, "/portal/prescriptions", "Prescriptions")
	context.title = _("Prescriptions")
	context.prescriptions = records.prescriptions(grant.patient)
	return context
