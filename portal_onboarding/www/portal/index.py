from frappe import _

from portal_onboarding.constants import FormRequestStatus
from portal_onboarding.core.forms import FORMS_SECTION
from portal_onboarding.core.portal import section_allowed
from portal_onboarding.forms import requests
from portal_onboarding.portal.context import portal_context

no_cache = 1


def get_context(context: dict) -> dict:
	grant = portal_context(context, "/portal")
	context.title = _("Patient Portal")
	# The landing page says when the chosen patient has forms waiting (only where Forms is granted).
	context.forms_waiting = (
		len(requests.for_patient(grant.patient, (FormRequestStatus.REQUESTED,)))
		if section_allowed(grant, FORMS_SECTION)
		else 0
	)
	return context
