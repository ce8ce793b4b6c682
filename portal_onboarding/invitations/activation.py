"""The guest side of an invitation: check the link, the identity check, and turning it into a login."""

from dataclasses import dataclass
from typing import Any

import frappe
from frappe import _
from frappe.twofactor import should_run_2fa
from frappe.utils import getdate, now_datetime
from frappe.utils.password import get_decrypted_password, update_password

from portal_onboarding.constants import (
	ACCOUNT,
	INVITATION,
	PATIENT,
	PATIENT_ROLE,
	PORTAL_REASON_FIELD,
	AccessType,
	AccountStatus,
	EventType,
	InvitationStatus,
)
from portal_onboarding.core.activation import (
	MAX_IDENTITY_ATTEMPTS,
	IdentityAnswer,
	IdentityOnFile,
	LoginFacts,
	check_identity,
	reusable_login,
)
from portal_onboarding.core.proxies import check_code
from portal_onboarding.core.usernames import check_username, normalise_username
from portal_onboarding.exceptions import reason_text
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.links import (
	LINK_HASH_FIELDS,
	account_invitations,
	find_live_link,
	revoke_invitation,
)
from portal_onboarding.primitives.logins import (
	not_available,
	password_holds,
	password_problem,
	retire_user_if_unused,
	save_login,
	username_taken,
)
from portal_onboarding.primitives.patients import home_zip
from portal_onboarding.primitives.status import forget_status_counts, refresh_portal_status
from portal_onboarding.security.actions import app_action
from portal_onboarding.security.sessions import end_sessions_after_commit
from portal_onboarding.settings import get_settings


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


def find_invitation(key: str | None, lock: bool = False) -> Any | None:
	"""The live invitation this key opens, or None for any kind of bad key (see `find_live_link`)."""
	invitation = find_live_link(INVITATION, key, InvitationStatus.SENT, lock, LINK_HASH_FIELDS)
	if invitation is None:
		return None
	# A re-verification link reaches the account its holder's email change suspended.
	expected = AccountStatus.SUSPENDED if invitation.reverification else AccountStatus.INVITED
	if frappe.db.get_value(ACCOUNT, invitation.account, "status") != expected:
		return None
	return invitation


def mark_opened(invitation: Any) -> None:
	"""Record when the link was first opened, for the onboarding funnel; later opens change nothing."""
	table = frappe.qb.DocType(INVITATION)
	(
		frappe.qb.update(table)
		.set(table.opened_on, now_datetime())
		.where((table.name == invitation.name) & table.opened_on.isnull())
	).run()
	forget_status_counts()  # the report's funnel counts opened links


def identity_required() -> bool:
	return bool(get_settings().require_identity_check)


def is_proxy_invitation(invitation: Any) -> bool:
	"""A link a patient sent a proxy from the portal: its holder answers with the code the patient gave
	them, always, instead of the patient's date of birth and ZIP code."""
	return bool(invitation.get("proxy_code"))


def identity_confirmed(invitation: Any) -> bool:
	"""True when this link's holder has answered the identity check, or none is asked."""
	if is_proxy_invitation(invitation):
		return bool(invitation.identity_verified_on)
	return not identity_required() or bool(invitation.identity_verified_on)


def link_state(invitation: Any) -> dict:
	"""What the activation page needs to show for a valid link; the username only after the check."""
	confirmed = identity_confirmed(invitation)
	state = {
		"ok": True,
		"needs_identity": not confirmed,
		"reverification": bool(invitation.reverification),
	}
	if is_proxy_invitation(invitation):
		# The mail named the patient by first name too: the page asks for "the code <name> gave you".
		state["proxy"] = True
		state["invited_by"] = frappe.db.get_value(PATIENT, invitation.patient, "first_name")
	if confirmed:
		state["username"] = frappe.db.get_value(ACCOUNT, invitation.account, "username")
	return state


@app_action
def verify_identity(
	invitation: Any, date_of_birth: str | None, zip_code: str | None, code: str | None = None
) -> Outcome:
	"""One identity answer, for an invitation read under its lock (`find_invitation(lock=True)`).

	A proxy's link takes only the code the patient gave (compared in constant time); every other link
	takes the patient's date of birth and ZIP code. Wrong answers are counted on the locked row; the
	third revokes the link, clears its hash and moves the account out of Invited with the reason shown
	on the Patient.
	"""
	# Read under the lock `find_invitation(lock=True)` took, never from an older snapshot.
	account = frappe.get_doc(ACCOUNT, invitation.account, for_update=True)
	patient = frappe.get_doc(PATIENT, account.patient, for_update=True)
	if is_proxy_invitation(invitation):
		on_file = get_decrypted_password(INVITATION, invitation.name, "proxy_code", raise_exception=False)
		verdict = check_code(code, on_file, invitation.identity_attempts or 0)
	else:
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
		frappe.db.set_value(INVITATION, invitation.name, "identity_verified_on", now_datetime())
		return Outcome(True)
	frappe.db.set_value(INVITATION, invitation.name, "identity_attempts", verdict.attempts)
	log_event(
		EventType.IDENTITY_CHECK_FAILED,
		account.name,
		account.patient,
		_("Wrong answer {0} of {1}").format(verdict.attempts, MAX_IDENTITY_ATTEMPTS),
	)
	if verdict.revoke:
		reason = _("The invitation link was revoked after three wrong identity answers.")
		revoke_invitation(invitation.name, account.name, reason)
		account.status = AccountStatus.INVITE_FAILED
		account.save(ignore_permissions=True)
		frappe.db.set_value(PATIENT, account.patient, PORTAL_REASON_FIELD, reason, update_modified=False)
		return Outcome(False, invalid_link_message(), invalid_link=True)
	return Outcome(False, _("These details do not match our records. Please check them and try again."))


def confirm_first() -> str:
	return _("Please confirm the patient's details first.")


def username_problem(username: str, account: Any, invitation: Any) -> str | None:
	"""Why this username cannot be used by this link's holder, or None.

	Taken by a patient, a representative, a member of staff or reserved: the answer is the same
	"not available", so the page never tells who holds which username. The login this person is
	about to take over keeps its own username.
	"""
	reason = check_username(username)
	if reason:
		return reason_text(reason)
	if username_taken(normalise_username(username), account.name, existing_login(account, invitation)):
		return not_available()
	return None


def login_facts(user: str | None, account: Any) -> LoginFacts | None:
	if not user:
		return None
	row = frappe.db.get_value("User", user, ["name", "email", "user_type"], as_dict=True)
	if not row:
		return None
	return LoginFacts(
		name=row.name,
		email=row.email,
		website_user=row.user_type == "Website User",
		other_accounts=frappe.db.count(ACCOUNT, {"user": row.name, "name": ("!=", account.name)}),
	)


def existing_login(account: Any, invitation: Any) -> str | None:
	"""The login this person already has, when it is provably theirs (see `core.activation`)."""
	marley = None
	if account.access_type == AccessType.SELF:
		marley = login_facts(frappe.db.get_value(PATIENT, account.patient, "user_id"), account)
	return reusable_login(login_facts(account.user, account), marley, invitation.sent_to)


def create_login(account: Any, invitation: Any, username: str, password: str) -> str:
	"""The person's Website User with the Patient role: their own existing one, else a new one.

	Setting a password on an existing login ends all of its other sessions once this commits.
	"""
	existing = existing_login(account, invitation)
	user = save_login(existing, account, username)
	update_password(user, password)
	if existing:
		end_sessions_after_commit(user)
	return user


@app_action
def activate(invitation: Any, username: str, password: str) -> Outcome:
	"""Turn a checked invitation into an Active account with a login of its own.

	Only this link's account is activated: every other patient's grant needs its own link.
	"""
	account = frappe.get_doc(ACCOUNT, invitation.account, for_update=True)
	if not identity_confirmed(invitation):
		return Outcome(False, confirm_first())
	username = normalise_username(username or "")
	problem = username_problem(username, account, invitation) or password_problem(password, account)
	if problem:
		return Outcome(False, problem)
	frappe.db.savepoint("portal_create_login")
	try:
		user = create_login(account, invitation, username, password)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		# Someone activating another patient took the same username a moment ago.
		frappe.db.rollback(save_point="portal_create_login")
		return Outcome(False, not_available())
	account.username = username
	grant(account, invitation, user, _("Login {0}").format(username))
	return Outcome(True, data={"user": user, "accounts": [account.name]})


@app_action
def link_existing_login(invitation: Any, username: str, password: str) -> Outcome:
	"""Add this link's patient to a portal login the person already holds, proven by its password.

	A representative acting for several patients keeps one login: each patient still needs their own
	link (and identity answer), and the person proves the login is theirs by signing in with it.
	"""
	account = frappe.get_doc(ACCOUNT, invitation.account, for_update=True)
	if not identity_confirmed(invitation):
		return Outcome(False, confirm_first())
	refused = Outcome(False, _("The username or password is not correct."))
	name = normalise_username(username or "")
	user = (
		frappe.db.get_value("User", {"username": name, "enabled": 1, "user_type": "Website User"}, "name")
		if name
		else None
	)
	if not user or not frappe.db.exists("Has Role", {"parent": user, "role": PATIENT_ROLE}):
		return refused
	if not password_holds(user, password):
		return refused
	if should_run_2fa(user):
		return Outcome(
			False,
			_(
				"Your login uses two-factor authentication, which this page cannot check. "
				"Please create a new login for this patient instead."
			),
		)
	if frappe.db.exists(ACCOUNT, {"user": user, "patient": account.patient, "name": ("!=", account.name)}):
		return Outcome(False, _("This login already has access to this patient."))
	grant(account, invitation, user, _("Existing login {0} linked").format(name))
	return Outcome(True, data={"user": user, "accounts": [account.name]})


@app_action
def confirm_address(invitation: Any, password: str) -> Outcome:
	"""A re-verification link: the login's own current password confirms the account's new address.

	The link went to an address staff may have typed, and the identity check asks what staff can read
	on the Patient form, so neither proves that the login's holder wants the change: the password does.
	Nothing about the login changes (no new username, no new password); a person who lost both the
	password and the old address goes through a portal admin (reactivate, then a reset link).
	"""
	account = frappe.get_doc(ACCOUNT, invitation.account, for_update=True)
	if not identity_confirmed(invitation):
		return Outcome(False, confirm_first())
	refused = Outcome(False, _("The password is not correct."))
	user = account.user
	if not user or frappe.db.get_value("User", user, "user_type") != "Website User":
		return refused
	if not password_holds(user, password):
		return refused
	frappe.db.set_value("User", user, "enabled", 1)
	grant(
		account,
		invitation,
		user,
		_("New email address {0} confirmed with the login's password").format(invitation.sent_to),
	)
	# Signing in here would skip the login's second factor: such a login signs in on the login page.
	return Outcome(True, data={"user": user, "accounts": [account.name], "sign_in": not should_run_2fa(user)})


def grant(account: Any, invitation: Any, user: str, details: str) -> None:
	"""Make the account Active on `user`, accept its link, and retire any login it had before."""
	previous = account.user
	now = now_datetime()
	account.user = user
	account.status = AccountStatus.ACTIVE
	account.status_reason = None
	account.activated_on = now
	account.save(ignore_permissions=True)
	for live in account_invitations(account.name):
		frappe.db.set_value(
			INVITATION,
			live,
			{"status": InvitationStatus.ACCEPTED, "accepted_on": now, **dict.fromkeys(LINK_HASH_FIELDS)},
		)
	log_event(EventType.ACCOUNT_ACTIVATED, account.name, account.patient, details)
	if previous and previous != user:
		retire_user_if_unused(previous)
	refresh_portal_status(account.patient)
