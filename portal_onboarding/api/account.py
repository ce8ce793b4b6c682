"""Admin actions on a patient's portal access and on each portal account."""

import frappe
from frappe import _

from portal_onboarding.accounts import management
from portal_onboarding.constants import ACCOUNT, EVENT, PATIENT
from portal_onboarding.invitations import portal_access
from portal_onboarding.permissions import is_portal_admin
from portal_onboarding.representatives import guardianship
from portal_onboarding.security.ratelimit import count

# Reset mails per account per hour: enough for a typo or two, never a mail bomb.
RESETS_PER_ACCOUNT = 5
AUDIT_TRAIL_LENGTH = 100


def require_portal_admin() -> None:
	if not is_portal_admin():
		frappe.throw(
			_("Only a System Manager or Portal Onboarding Manager can change portal access."),
			frappe.PermissionError,
		)


def check_admin(patient: str) -> None:
	"""Portal access is granted only by the portal admin roles, and only on patients they may read (a
	manager's user permissions limit which); editing the Patient's clinical fields is never needed."""
	require_portal_admin()
	if not frappe.db.exists(PATIENT, patient):
		frappe.throw(
			_("Patient {0} does not exist.").format(frappe.bold(patient)), exc=frappe.DoesNotExistError
		)
	frappe.has_permission(PATIENT, "read", patient, throw=True)


def check_admin_of_account(account: str) -> None:
	"""`check_admin` for the patient the account is on."""
	require_portal_admin()  # before saying anything about the account
	patient = frappe.db.get_value(ACCOUNT, account, "patient")
	if not patient:
		frappe.throw(_("Portal account {0} does not exist.").format(account), exc=frappe.DoesNotExistError)
	if not frappe.db.exists(PATIENT, patient):
		frappe.throw(
			_("The patient of portal account {0} no longer exists.").format(frappe.bold(account)),
			exc=frappe.DoesNotExistError,
		)
	check_admin(patient)


@frappe.whitelist(methods=["POST"])
def enable(patient: str, in_person: bool = False) -> dict:
	"""Give the patient portal access (eligibility permitting); `in_person` for credentials handed
	over at the clinic, which need no email."""
	check_admin(patient)
	account = portal_access.enable(patient, in_person=bool(in_person))
	return {"account": account.name, "status": account.status}


@frappe.whitelist(methods=["POST"])
def disable(patient: str) -> dict:
	"""Take portal access away from the patient and everyone acting for them."""
	check_admin(patient)
	return {"accounts": portal_access.disable(patient)}


@frappe.whitelist(methods=["POST"])
def set_permitted_sections(account: str, sections: list[str] | str) -> dict:
	"""Choose which portal sections an account's holder sees; audited like every access change."""
	check_admin_of_account(account)
	if isinstance(sections, str):
		sections = frappe.parse_json(sections) if sections.strip().startswith("[") else [sections]
	doc = portal_access.set_permitted_sections(account, list(sections or []))
	return {"account": doc.name, "sections": [row.portal_section for row in doc.permitted_sections]}


@frappe.whitelist(methods=["POST"])
def delete_account(account: str) -> dict:
	"""Delete a portal account: audited, its links revoked, its login retired if it reaches no one else."""
	check_admin_of_account(account)
	portal_access.delete_account(account)
	return {"deleted": account}


def status_of(doc) -> dict:
	return {"account": doc.name, "status": doc.status}


@frappe.whitelist(methods=["POST"])
def suspend(account: str, reason: str) -> dict:
	"""Suspend the account: its login is disabled if it reaches no other patient, its sessions end."""
	check_admin_of_account(account)
	return status_of(management.suspend(account, reason))


@frappe.whitelist(methods=["POST"])
def reactivate(account: str) -> dict:
	"""Undo a suspension."""
	check_admin_of_account(account)
	return status_of(management.reactivate(account))


@frappe.whitelist(methods=["POST"])
def send_password_reset(account: str) -> dict:
	"""Mail the account's holder a single-use link to choose a new password."""
	check_admin_of_account(account)
	count(f"reset:account:{account}", RESETS_PER_ACCOUNT)
	management.send_password_reset(account)
	return {"account": account, "sent": True}


@frappe.whitelist(methods=["POST"])
def set_credentials(account: str, username: str | None = None, password: str | None = None) -> dict:
	"""Set the login by hand; a generated password is in the answer, once, and nowhere else."""
	check_admin_of_account(account)
	return management.set_credentials(account, username=username, password=password)


@frappe.whitelist(methods=["POST"])
def check_username(account: str, username: str | None = None) -> dict:
	"""Whether Set credentials can give this account `username`: {"ok", "message"}, as it is typed."""
	check_admin_of_account(account)
	return management.check_credentials_username(account, username)


@frappe.whitelist(methods=["POST"])
def remove_login(account: str) -> dict:
	"""Disable and unlink the login; the account stays, and can be invited again."""
	check_admin_of_account(account)
	return status_of(management.remove_login(account))


@frappe.whitelist(methods=["POST"])
def mark_pending_delete(account: str) -> dict:
	"""Remove the login now and delete the account's personal details after the wait in the settings."""
	check_admin_of_account(account)
	return status_of(management.mark_pending_delete(account))


@frappe.whitelist(methods=["POST"])
def cancel_pending_delete(account: str) -> dict:
	"""Keep an account marked for deletion after all."""
	check_admin_of_account(account)
	return status_of(management.cancel_pending_delete(account))


@frappe.whitelist(methods=["POST"])
def load_from_patient(account: str) -> dict:
	"""Copy the patient's name, email and mobile onto their own account."""
	check_admin_of_account(account)
	doc = management.load_from_patient(account)
	return {
		**status_of(doc),
		"first_name": doc.first_name,
		"last_name": doc.last_name,
		"contact_email": doc.contact_email,
		"contact_mobile": doc.contact_mobile,
	}


def representation_of(doc) -> dict:
	return {
		**status_of(doc),
		"guardian_of_adult": doc.guardian_of_adult,
		"guardianship_until": doc.guardianship_until,
		"teen_assent_on": doc.teen_assent_on,
	}


@frappe.whitelist(methods=["POST"])
def record_guardianship(account: str, document: str, until: str | None = None) -> dict:
	"""Record a legal guardianship of the adult patient (the document seen, an optional end date)."""
	check_admin_of_account(account)
	return representation_of(guardianship.record_guardianship(account, document=document, until=until))


@frappe.whitelist(methods=["POST"])
def end_guardianship(account: str) -> dict:
	"""Clear the guardianship; an adult patient's representative loses access at once."""
	check_admin_of_account(account)
	return representation_of(guardianship.end_guardianship(account))


@frappe.whitelist(methods=["POST"])
def record_assent(account: str) -> dict:
	"""Record the assent of a patient in the partial-access years to this representative's access."""
	check_admin_of_account(account)
	return representation_of(guardianship.record_assent(account))


@frappe.whitelist(methods=["POST"])
def withdraw_assent(account: str) -> dict:
	"""Withdraw the patient's assent."""
	check_admin_of_account(account)
	return representation_of(guardianship.withdraw_assent(account))


@frappe.whitelist(methods=["GET", "POST"])
def audit_trail(account: str) -> list[dict]:
	"""The account's newest audit events, for its form."""
	check_admin_of_account(account)
	return frappe.get_list(
		EVENT,
		filters={"account": account},
		fields=["name", "timestamp", "event_type", "actor", "details", "client_ip"],
		order_by="timestamp desc, creation desc",
		limit_page_length=AUDIT_TRAIL_LENGTH,
	)
