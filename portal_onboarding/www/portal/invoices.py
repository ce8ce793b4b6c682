from frappe import _

from portal_onboarding.portal import invoices
from portal_onboarding.portal.context import portal_context

no_cache = 1


def get_context(context: dict) -> dict:
	grant = portal_context(context, "/portal/invoices", "Invoices")
	context.title = _("Invoices")
	context.invoices = invoices.for_patient(grant.patient)
	context.pay_elsewhere = any(row.owes and not row.pay for row in context.invoices)
	return context
