"""The guest side of an invitation: check the link, the identity check, and turning it into a login."""

from dataclasses import dataclass
from typing import Any

import frappe
from frappe import _
from frappe.utils import get_datetime, getdate, now_datetime

from portal_onboarding.audit import log_event
from portal_onboarding.constants import (
	ACCOUNT,
	INVITATION,
	PATIENT,
	PATIENT_ROLE,
	AccessType,
	AccountStatus,
	EventType,
	InvitationStatus,
)
from portal_onboarding.core.activation import (
	MAX_IDENTITY_ATTEMPTS,
	IdentityAnswer,
	IdentityOnFile,
	check_identity,
	login_email,
)
from portal_onboarding.core.tokens import hash_token, is_expired, verify_token
from portal_onboarding.core.usernames import check_username, normalise_username
from portal_onboarding.exceptions import reason_text
from portal_onboarding.onboarding import home_zip, invitations
from portal_onboarding.settings import get_settings

MIN_PASSWORD_LENGTH = 8


def invalid_link_message() -> str:
	"""The one answer for every bad link: garbage, expired, used or revoked."""
	return _("This link is no longer valid. Please ask your clinic for a new one.")


@dataclass
class Outcome:
	ok: bool
	message: str = ""
	invalid_link: bool = False
	data: dict | None = None

	def as_dict(self) -> dict:
		return {
			"ok": self.ok,
			"message": self.message,
			"invalid_link": self.invalid_link,
			**(self.data or {}),
		}


def find_invitation(key: str | None, for_update: bool = False) -> Any | None:
	"""The live invitation this key opens, or None for any kind of bad key."""
	if not key or len(key) > 128:
		return None
	name = frappe.db.get_value(INVITATION, {"token_hash": hash_token(key)}, "name", for_update=for_update)
	if not name:
		return None
	invitation = frappe.get_doc(INVITATION, name)
	if not verify_token(key, invitation.token_hash) or invitation.status != InvitationStatus.SENT:
		return None
	if is_expired(get_datetime(invitation.expires_on), now_datetime()):
		return None
	if frappe.db.get_value(ACCOUNT, invitation.account, "status") != AccountStatus.INVITED:
		return None
	return invitation


def identity_required() -> bool:
	return bool(get_settings().require_identity_check)


def verify_identity(invitation: Any, date_of_birth: str | None, zip_code: str | None) -> Outcome:
	"""One identity answer; wrong answers are counted and the third revokes the link."""
	account = frappe.get_doc(ACCOUNT, invitation.account)
	patient = frappe.get_doc(PATIENT, account.patient)
	try:
		dob = getdate(date_of_birth) if date_of_birth else None
	except Exception:
		dob = None
	verdict = check_identity(
		IdentityAnswer(dob, zip_code),
		IdentityOnFile(getdate(patient.dob) if patient.dob else None, home_zip(patient.name)),
		invitation.identity_attempts or 0,
	)
	if verdict.passed:
		return Outcome(True)
	frappe.db.set_value(INVITATION, invitation.name, "identity_attempts", verdict.attempts)
	log_event(
		EventType.IDENTITY_CHECK_FAILED,
		account.name,
		account.patient,
		_("Wrong answer {0} of {1}").format(verdict.attempts, MAX_IDENTITY_ATTEMPTS),
	)
	if verdict.revoke:
		frappe.db.set_value(
			INVITATION,
			invitation.name,
			{"status": InvitationStatus.REVOKED, "failure_reason": _("Identity check failed three times.")},
		)
		log_event(
			EventType.INVITATION_REVOKED,
			account.name,
			account.patient,
			_("Identity check failed three times."),
		)
		return Outcome(False, invalid_link_message(), invalid_link=True)
	return Outcome(False, _("These details do not match our records. Please check them and try again."))


def username_problem(username: str, account: Any) -> str | None:
	"""Why this username cannot be used for this account, or None."""
	reason = check_username(username)
	if reason:
		return reason_text(reason)
	name = normalise_username(username)
	taken = frappe.db.exists(ACCOUNT, {"username": name, "name": ("!=", account.name)})
	user_filters: dict[str, Any] = {"username": name}
	own_login = existing_login(account)
	if own_login:
		user_filters["name"] = ("!=", own_login)
	if taken or frappe.db.exists("User", user_filters):
		return _("This username is taken. Please choose another.")
	return None


def password_problem(password: str, account: Any) -> str | None:
	"""Why the password does not meet the site's policy, or None."""
	from frappe.core.doctype.user.user import test_password_strength

	if len(password or "") < MIN_PASSWORD_LENGTH:
		return _("Your password must be at least {0} characters long.").format(MIN_PASSWORD_LENGTH)
	result = test_password_strength(
		password, user_data=(account.first_name, None, account.last_name, account.contact_email, None)
	)
	feedback = (result or {}).get("feedback") or {}
	if feedback.get("password_policy_validation_passed") is False:
		suggestions = " ".join(feedback.get("suggestions") or [])
		return " ".join(
			filter(None, [_("Please choose a stronger password."), feedback.get("warning"), suggestions])
		)
	return None


def existing_login(account: Any) -> str | None:
	"""The Website User this person already has: the account's own, or for a patient's own account
	the one Marley's "Invite as User" made, so nobody ends up with a second login."""
	candidates = [account.user]
	if account.access_type == AccessType.SELF:
		candidates.append(frappe.db.get_value(PATIENT, account.patient, "user_id"))
	for user in filter(None, candidates):
		if frappe.db.get_value("User", user, "user_type") == "Website User":
			return user
	return None


def create_login(account: Any, username: str, password: str) -> str:
	"""The person's Website User with the Patient role: their existing one enabled, else a new one."""
	from frappe.utils.password import update_password

	existing = existing_login(account)
	if existing:
		user = frappe.get_doc("User", existing)
		user.enabled = 1
		user.username = username
		if PATIENT_ROLE not in {r.role for r in user.roles}:
			user.append("roles", {"role": PATIENT_ROLE})
	else:
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": login_email(username),
				"first_name": account.first_name,
				"last_name": account.last_name,
				"username": username,
				"user_type": "Website User",
				"send_welcome_email": 0,
				"enabled": 1,
			}
		)
		user.append("roles", {"role": PATIENT_ROLE})
	user.flags.ignore_permissions = True
	user.flags.no_welcome_mail = True
	user.save(ignore_permissions=True)
	update_password(user.name, password)
	return user.name


def activate(invitation: Any, username: str, password: str) -> Outcome:
	"""Turn a checked invitation into an Active account with a login of its own."""
	account = frappe.get_doc(ACCOUNT, invitation.account)
	username = normalise_username(username or "")
	problem = username_problem(username, account) or password_problem(password, account)
	if problem:
		return Outcome(False, problem)

	user = create_login(account, username, password)
	now = now_datetime()
	linked = [account.name, *pending_representative_accounts(account)]
	for name in linked:
		linked_account = frappe.get_doc(ACCOUNT, name)
		if name == account.name:
			linked_account.username = username
		linked_account.user = user
		linked_account.status = AccountStatus.ACTIVE
		linked_account.activated_on = now
		linked_account.save(ignore_permissions=True)
		for live in invitations(name):
			frappe.db.set_value(
				INVITATION,
				live,
				{"status": InvitationStatus.ACCEPTED, "accepted_on": now, "token_hash": None},
			)
		log_event(EventType.ACCOUNT_ACTIVATED, name, linked_account.patient, _("Login {0}").format(username))
	return Outcome(True, data={"user": user, "accounts": linked})


def pending_representative_accounts(account: Any) -> list[str]:
	"""A representative invited for several patients activates once: their other invited accounts
	under the same invited address join the same login."""
	if account.access_type != AccessType.REPRESENTATIVE or not account.contact_email:
		return []
	return frappe.get_all(
		ACCOUNT,
		filters={
			"access_type": AccessType.REPRESENTATIVE,
			"contact_email": account.contact_email,
			"status": AccountStatus.INVITED,
			"user": ("is", "not set"),
			"name": ("!=", account.name),
		},
		pluck="name",
	)
