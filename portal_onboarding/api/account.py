"""Admin actions on a patient's portal access."""

import frappe
from frappe import _

from portal_onboarding import onboarding
from portal_onboarding.constants import ACCOUNT, PATIENT
from portal_onboarding.permissions import is_portal_admin


def check_admin(patient: str) -> None:
	"""Portal access is granted only by the portal admin roles, and only on patients they may edit."""
	if not is_portal_admin():
		frappe.throw(
			_("Only a System Manager or Portal Onboarding Manager can change portal access."),
			frappe.PermissionError,
		)
	frappe.has_permission(PATIENT, "write", patient, throw=True)


def check_admin_of_account(account: str) -> None:
	"""`check_admin` for the patient the account is on."""
	patient = frappe.db.get_value(ACCOUNT, account, "patient")
	if not patient:
		frappe.throw(_("Portal account {0} does not exist.").format(account), exc=frappe.DoesNotExistError)
	check_admin(patient)


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


@frappe.whitelist(methods=["POST"])
def set_permitted_sections(account: str, sections: list[str] | str) -> dict:
	"""Choose which portal sections an account's holder sees; audited like every access change."""
	check_admin_of_account(account)
	if isinstance(sections, str):
		sections = frappe.parse_json(sections) if sections.strip().startswith("[") else [sections]
	doc = onboarding.set_permitted_sections(account, list(sections or []))
	return {"account": doc.name, "sections": [row.portal_section for row in doc.permitted_sections]}


@frappe.whitelist(methods=["POST"])
def delete_account(account: str) -> dict:
	"""Delete a portal account: audited, its links revoked, its login retired if it reaches no one else."""
	check_admin_of_account(account)
	onboarding.delete_account(account)
	return {"deleted": account}
