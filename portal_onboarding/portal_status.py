"""Keeping the read-only portal status on Patient in step with the patient's accounts."""

import frappe

from portal_onboarding.constants import (
	ACCOUNT,
	CAN_ACCESS,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	PORTAL_STATUS_FIELD,
)
from portal_onboarding.core.status import AccountState, patient_portal_status


def compute_portal_status(patient: str) -> str:
	"""The status the patient should show, from its portal access toggle and its accounts."""
	access = frappe.db.get_value(PATIENT, patient, PORTAL_ACCESS_FIELD)
	accounts = frappe.get_all(
		ACCOUNT, filters={"patient": patient}, fields=["access_type", "status"], order_by="creation asc"
	)
	return patient_portal_status(
		access == CAN_ACCESS, [AccountState(a.access_type, a.status) for a in accounts]
	)


def refresh_portal_status(patient: str) -> str:
	"""Store the computed status on the Patient without touching its modified timestamp."""
	status = compute_portal_status(patient)
	frappe.db.set_value(PATIENT, patient, PORTAL_STATUS_FIELD, status, update_modified=False)
	return status
