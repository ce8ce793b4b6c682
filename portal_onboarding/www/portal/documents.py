from frappe import _

from portal_onboarding.core.documents import DOCUMENTS_SECTION
from portal_onboarding.documents import queries
from portal_onboarding.portal.context import portal_context

no_cache = 1


def get_context(context: dict) -> dict:
	grant = portal_context(context, "/portal/documents", DOCUMENTS_SECTION)
	context.title = _("Documents")
	context.documents = queries.for_portal(grant.patient)
	return context
