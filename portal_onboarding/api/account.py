"""Admin actions on a patient's portal access."""

import frappe

from portal_onboarding import onboarding
from portal_onboarding.constants import ADMIN_ROLES, PATIENT


def check_admin(patient: str) -> None:
	frappe.only_for(ADMIN_ROLES)
	frappe.has_permission(PATIENT, "write", patient, throw=True)


@frappe.whitelist(methods=["POST"])
def enable(patient: str) -> dict:
	"""Give the patient portal access (eligibility permitting)."""
	check_admin(patient)
	account = onboarding.enable(patient)
	return {"account": account.name, "status": account.status}


@frappe.whitelist(methods=["POST"])
def disable(patient: str) -> dict:
	"""Take portal access away from the patient and everyone acting for them."""
	check_admin(patient)
	return {"accounts": onboarding.disable(patient)}
