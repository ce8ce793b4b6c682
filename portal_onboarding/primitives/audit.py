"""Writing the append-only audit log."""

import frappe
from frappe.utils import now_datetime

from portal_onboarding.constants import ACCOUNT, EVENT
from portal_onboarding.security.client import client_address


def log_event(
	event_type: str,
	account: str | None = None,
	patient: str | None = None,
	details: str | None = None,
) -> str:
	"""Record who did what to which account, from where; returns the event's name."""
	if account and not patient:
		patient = frappe.db.get_value(ACCOUNT, account, "patient")
	event = frappe.get_doc(
		{
			"doctype": EVENT,
			"event_type": event_type,
			"account": account,
			"patient": patient,
			"details": details,
			"actor": frappe.session.user,
			"client_ip": client_address(),
			"timestamp": now_datetime(),
		}
	)
	# The account and patient were just read or written by the caller: no need to look them up again.
	event.insert(ignore_permissions=True, ignore_links=True)
	return event.name
