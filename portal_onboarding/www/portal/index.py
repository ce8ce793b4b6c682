from frappe import _

from portal_onboarding.portal.context import portal_context

no_cache = 1


def get_context(context: dict) -> dict:
	portal_context(context, "/portal")
	context.title = _("Patient Portal")
	return context
