"""The admin's actions on one portal account; each runs under the patient's lock and is audited."""

from typing import Any

import frappe
from frappe import _
from frappe.utils import add_to_date, format_datetime, now_datetime
from frappe.utils.password import update_password

from portal_onboarding.accounts import email_change, password_reset
from portal_onboarding.constants import (
	ACCOUNT,
	CAN_ACCESS,
	INVITATION,
	PASSWORD_RESET,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	AccessType,
	AccountStatus,
	EventType,
)
from portal_onboarding.core.account_actions import Action, check_action, target_status
from portal_onboarding.core.activation import is_placeholder_email
from portal_onboarding.core.passwords import generate_temporary_password
from portal_onboarding.core.retention import is_due, purge_cutoff
from portal_onboarding.core.usernames import check_username, normalise_username
from portal_onboarding.exceptions import (
	IllegalStatusTransition,
	InvalidAccount,
	UsernameTaken,
	reason_text,
	throw_reasons,
)
from portal_onboarding.permissions import refuse_if_ended_by_age
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.links import revoke_links
from portal_onboarding.primitives.locks import lock_account, lock_patient_row
from portal_onboarding.primitives.logins import (
	cut_off_login,
	forget_forced_change,
	not_available,
	password_problem,
	save_login,
	username_taken,
)
from portal_onboarding.primitives.patients import patient_contact
from portal_onboarding.security.actions import app_action
from portal_onboarding.security.mail import clinic_name
from portal_onboarding.security.mailed_links import clinic_link
from portal_onboarding.security.sessions import end_sessions_after_commit
from portal_onboarding.settings import get_settings

S = AccountStatus
MAX_REASON_LENGTH = 500
TEMPORARY_PASSWORD_LENGTH = 16
PORTAL_PATH = "/portal"


def require(action: str, account: Any) -> str:
	"""Refuse unless `action` is open to the account now; the status it leads to."""
	has_login = bool(account.user)
	reason = check_action(action, account.status, has_login)
	throw_reasons([reason] if reason else [], IllegalStatusTransition, _("Not Possible"))
	return target_status(action, account.status, has_login)


def begin(action: str, account_name: str, revoke_reason: str) -> Any:
	"""Lock the account, move it to where `action` leads (refused if it may not) and kill its links."""
	account = lock_account(account_name)
	account.status = require(action, account)
	revoke_links(account, revoke_reason)
	return account


@app_action
def suspend(account_name: str, reason: str) -> Any:
	"""Stop the account reaching its patient until an admin reactivates it."""
	reason = (reason or "").strip()
	if not reason:
		frappe.throw(
			_("Please give a reason for the suspension."), exc=InvalidAccount, title=_("Reason needed")
		)
	if len(reason) > MAX_REASON_LENGTH:
		frappe.throw(
			_("The reason may be at most {0} characters long.").format(MAX_REASON_LENGTH), exc=InvalidAccount
		)
	account = begin(Action.SUSPEND, account_name, _("The portal account was suspended."))
	account.status_reason = reason
	account.save(ignore_permissions=True)
	log_event(EventType.ACCOUNT_SUSPENDED, account.name, account.patient, reason)
	cut_off_login(account.user)
	return account


@app_action
def reactivate(account_name: str) -> Any:
	"""Undo a suspension: the login works again (Active), or the account can be invited (Enabled).

	A parent whose access ended at the patient's majority comes back only with a guardianship on file.
	"""
	refuse_if_ended_by_age(lock_account(account_name))
	account = begin(Action.REACTIVATE, account_name, _("The portal account was reactivated by an admin."))
	if account.user and frappe.db.get_value("User", account.user, "user_type") == "Website User":
		frappe.db.set_value("User", account.user, "enabled", 1)
	account.status_reason = None
	account.aged_out_on = None  # back through a guardianship: the audit trail keeps the ending
	account.save(ignore_permissions=True)
	log_event(EventType.ACCOUNT_REACTIVATED, account.name, account.patient, _(account.status))
	return account


@app_action
def send_password_reset(account_name: str) -> str:
	"""Mail the account's holder a single-use link to choose a new password."""
	account = lock_account(account_name)
	require(Action.SEND_PASSWORD_RESET, account)
	return password_reset.issue(account)


@app_action
def set_credentials(account_name: str, username: str | None = None, password: str | None = None) -> dict:
	"""Give the person a login by hand: the username (given or kept), the password (given or generated).

	The account becomes Active without an invitation and must change the password at first login.
	A generated password is returned once and kept nowhere in clear.
	"""
	account = lock_account(account_name)
	target = require(Action.SET_CREDENTIALS, account)
	name = credentials_username(account, username)
	problem = check_username(name)
	throw_reasons([problem] if problem else [], InvalidAccount)
	if username_taken(name, account.name, account.user):
		frappe.throw(
			_("Username {0} is already taken; choose another.").format(frappe.bold(name)), exc=UsernameTaken
		)
	generated = not password
	if generated:
		password = generate_temporary_password(TEMPORARY_PASSWORD_LENGTH)
	else:
		refused = password_problem(password, account)
		if refused:
			frappe.throw(refused, exc=InvalidAccount, title=_("Password not accepted"))
	revoke_links(account, _("Credentials were set by an admin."))
	user = save_login(account.user, account, name)
	update_password(user, password)
	account.update(
		{
			"user": user,
			"username": name,
			"status": target,
			"status_reason": None,
			"force_password_change": 1,
			"activated_on": account.activated_on or now_datetime(),
		}
	)
	account.save(ignore_permissions=True)
	log_event(
		EventType.CREDENTIALS_SET,
		account.name,
		account.patient,
		_("Username {0}; temporary password generated").format(name)
		if generated
		else _("Username {0}; password typed by the admin").format(name),
	)
	end_sessions_after_commit(user)
	forget_forced_change(user)
	result = {"username": name}
	if generated:
		result["password"] = password
	return result


def sign_in_address() -> dict[str, str]:
	"""Where credentials handed over in person are used: the clinic's configured portal address (the
	address mailed links start with), never the host the admin's browser happened to use."""
	return {"portal_url": clinic_link(PORTAL_PATH), "clinic_name": clinic_name()}


def credentials_username(account: Any, username: str | None) -> str:
	"""The username Set credentials gives: the one typed, else the account's own."""
	return normalise_username(username or "") or account.username or ""


def check_credentials_username(account_name: str, username: str | None) -> dict[str, Any]:
	"""What Set credentials would say of `username` for this account, as the admin types it.

	A name held by another account, a member of staff or any other login is only "not available":
	the answer never says who holds it. The account's own name, and its own login's, are free.
	"""
	account = frappe.get_doc(ACCOUNT, account_name)
	name = credentials_username(account, username)
	problem = check_username(name)
	if problem:
		return {"ok": False, "message": reason_text(problem)}
	if username_taken(name, account.name, account.user):
		return {"ok": False, "message": not_available()}
	return {"ok": True, "message": _("Available")}


@app_action
def remove_login(account_name: str) -> Any:
	"""Disable and unlink the account's login; the account and its history stay, ready to invite again."""
	account = begin(Action.REMOVE_LOGIN, account_name, _("The login was removed."))
	user = account.user
	account.update(
		{
			"user": None,
			# The retired login keeps its username: a fresh one is suggested for the next invitation.
			"username": None,
			"status_reason": None,
			"force_password_change": 0,
			"activated_on": None,
		}
	)
	account.save(ignore_permissions=True)
	log_event(EventType.LOGIN_REMOVED, account.name, account.patient, _("Login {0}").format(user or "-"))
	cut_off_login(user)
	return account


@app_action
def mark_pending_delete(account_name: str) -> Any:
	"""Remove the login now; the daily job deletes the account's personal details after the wait."""
	account = begin(
		Action.MARK_PENDING_DELETE, account_name, _("The portal account was marked for deletion.")
	)
	now = now_datetime()
	account.update({"pending_delete_on": now, "force_password_change": 0, "status_reason": None})
	account.save(ignore_permissions=True)
	days = int(get_settings().delete_after_days)
	log_event(
		EventType.MARKED_FOR_DELETION,
		account.name,
		account.patient,
		_("Personal details will be deleted on or after {0}").format(
			format_datetime(add_to_date(now, days=days))
		),
	)
	# The login stays linked, disabled, so the deletion can take its personal details too.
	cut_off_login(account.user)
	return account


@app_action
def cancel_pending_delete(account_name: str) -> Any:
	"""Keep the account after all: back to Enabled (the login stays removed), ready to invite again."""
	account = lock_account(account_name)
	require(Action.CANCEL_PENDING_DELETE, account)
	enabled = frappe.db.get_value(PATIENT, account.patient, PORTAL_ACCESS_FIELD) == CAN_ACCESS
	user = account.user
	account.update(
		{
			"status": S.ENABLED if enabled else S.NOT_ENABLED,
			"pending_delete_on": None,
			"user": None,
			"username": None,
			"activated_on": None,
		}
	)
	account.save(ignore_permissions=True)
	log_event(EventType.DELETION_CANCELLED, account.name, account.patient, _(account.status))
	cut_off_login(user)
	return account


@app_action
def load_from_patient(account_name: str) -> Any:
	"""Copy the patient's name, email and mobile onto their own (Self) account.

	A new email on an Active account goes through the email-change guard like any other.
	"""
	account = lock_account(account_name)
	if account.access_type != AccessType.SELF:
		frappe.throw(
			_(
				"Load from patient fills the patient's own (Self) account. A representative's details are "
				"their own: edit them on this form."
			),
			exc=InvalidAccount,
		)
	values = patient_contact(frappe.get_doc(PATIENT, account.patient))
	old_email = account.contact_email
	account.update(values)
	if email_change.needs_guard(account, old_email, values["contact_email"]):
		email_change.suspend_for_new_address(account, old_email, values["contact_email"])
		account.save(ignore_permissions=True)
		email_change.after_address_change(account, old_email, values["contact_email"])
	else:
		account.save(ignore_permissions=True)
	return account


def purge_due() -> None:
	"""Daily: delete the personal details of accounts whose wait in Pending Delete is over."""
	days = int(get_settings().delete_after_days)
	due = frappe.get_all(
		ACCOUNT,
		filters={"status": S.PENDING_DELETE, "pending_delete_on": ("<=", purge_cutoff(now_datetime(), days))},
		pluck="name",
	)
	for name in due:
		try:
			purge(name, days)
			frappe.db.commit()
		except Exception:
			frappe.db.rollback()
			frappe.log_error(
				title=_("Portal account deletion failed"), reference_doctype=ACCOUNT, reference_name=name
			)


@app_action
def purge(account_name: str, days: int) -> bool:
	"""Delete one due account: its record (names, contact details, username) and what its links kept
	of the person; the audit events stay. Clinical records are never touched."""
	patient = frappe.db.get_value(ACCOUNT, account_name, "patient")
	if patient is None:
		return False
	lock_patient_row(patient)  # a force-deleted patient has no row left to lock
	account = frappe.get_doc(ACCOUNT, account_name, for_update=True)
	if account.status != S.PENDING_DELETE or not is_due(account.pending_delete_on, now_datetime(), days):
		return False
	user = account.user
	for doctype in (INVITATION, PASSWORD_RESET):
		frappe.db.set_value(doctype, {"account": account.name}, "sent_to", None, update_modified=False)
	frappe.db.set_value(PASSWORD_RESET, {"account": account.name}, "user", None, update_modified=False)
	account.flags.purging = True
	frappe.delete_doc(ACCOUNT, account.name, ignore_permissions=True)
	log_event(
		EventType.PERSONAL_DATA_DELETED,
		account.name,
		patient,
		_("Personal details deleted {0} days after the account was marked for deletion").format(days),
	)
	if user:
		erase_login(user)
	return True


def erase_login(user: str) -> None:
	"""Delete an app-made login nobody uses any more; when something still links to it, strip it of
	the person's names and username instead. Staff and Marley-made logins are left alone."""
	if frappe.db.exists(ACCOUNT, {"user": user}):
		return
	row = frappe.db.get_value("User", user, ["user_type", "email"], as_dict=True)
	if not row or row.user_type != "Website User" or not is_placeholder_email(row.email):
		return
	frappe.db.savepoint("portal_erase_login")
	try:
		frappe.delete_doc("User", user, ignore_permissions=True)
	except Exception:
		frappe.db.rollback(save_point="portal_erase_login")
		frappe.db.set_value(
			"User",
			user,
			{
				"first_name": _("Deleted"),
				"last_name": None,
				"full_name": _("Deleted"),
				"username": None,
				"enabled": 0,
			},
		)


def on_patient_deleted(patient: str) -> None:
	"""A patient deleted with force leaves no account able to log in: each is marked for deletion."""
	for name in frappe.get_all(
		ACCOUNT, filters={"patient": patient, "status": ("!=", S.PENDING_DELETE)}, pluck="name"
	):
		mark_pending_delete(name)
