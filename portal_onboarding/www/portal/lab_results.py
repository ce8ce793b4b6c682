from frappe import _

from portal_onboarding.portal import records
from portal_onboarding.portal.context import portal_context

no_cache = 1


def get_context(context: dict) -> dict:
	grant = portal_context(context, "/portal/lab-results", "Lab Results")
	context.title = _("Lab results")
	context.lab_tests = records.lab_results(grant.patient)
	return context
