from frappe import _
from frappe.utils import getdate

from portal_onboarding.constants import FormRequestStatus
from portal_onboarding.core.forms import is_overdue
from portal_onboarding.forms import requests
from portal_onboarding.portal.context import portal_context

no_cache = 1


def get_context(context: dict) -> dict:
	grant = portal_context(context, "/portal/forms", "Forms")
	context.title = _("Forms")
	today = getdate()
	rows = requests.for_patient(
		grant.patient, (FormRequestStatus.REQUESTED, FormRequestStatus.SUBMITTED), limit=30
	)
	for row in rows:
		row.overdue = is_overdue(getdate(row.due_date) if row.due_date else None, today, row.status)
	context.to_do = [row for row in rows if row.status == FormRequestStatus.REQUESTED]
	context.sent = [row for row in rows if row.status == FormRequestStatus.SUBMITTED]
	return context
