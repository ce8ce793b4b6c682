"""The Website User behind a portal account: making one, the password policy, usernames, and retiring a
login that reaches no patient any more."""

from typing import Any

import frappe
from frappe import _
from frappe.auth import get_login_attempt_tracker
from frappe.core.doctype.user.user import test_password_strength
from frappe.utils.password import check_password

from portal_onboarding.constants import ACCOUNT, PATIENT_ROLE, AccountStatus
from portal_onboarding.core.activation import login_email
from portal_onboarding.security.cache import forget_cached
from portal_onboarding.security.sessions import end_sessions_after_commit

MIN_PASSWORD_LENGTH = 8
# Whether a login must change its password first (accounts/password_change.py reads and fills it).
FORCED_CHANGE_CACHE_KEY = "portal_onboarding:must_change_password"


def username_taken(username: str, account: str | None, own_login: str | None) -> bool:
	"""Whether `username` belongs to another account or another login (by username, or by the
	placeholder address a renamed login keeps)."""
	if frappe.db.exists(ACCOUNT, {"username": username, "name": ("!=", account or "")}):
		return True
	for filters in (
		{"username": username},
		{"name": login_email(username)},
		{"email": login_email(username)},
	):
		holder = frappe.db.get_value("User", filters)
		if holder and holder != own_login:
			return True
	return False


def not_available() -> str:
	return _("This username is not available. Please choose another.")


def password_problem(password: str, account: Any) -> str | None:
	"""Why the password does not meet the site's policy, or None."""
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


def save_login(existing: str | None, account: Any, username: str) -> str:
	"""Enable `existing` under `username` with the Patient role, or make a new Website User."""
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
	return user.name


def password_holds(user: str, password: str | None) -> bool:
	"""Whether `password` is the login's, counted by the same lockout as Frappe's login page: a form
	of the portal must never become a way around it."""
	tracker = get_login_attempt_tracker(user, raise_locked_exception=False)
	if not tracker.is_user_allowed():
		return False
	try:
		check_password(user, password or "", delete_tracker_cache=False)
	except frappe.AuthenticationError:
		tracker.add_failure_attempt()
		return False
	tracker.add_success_attempt()
	return True


def retire_user_if_unused(user: str, leaving: str | None = None) -> bool:
	"""Disable a portal login and end its sessions (after commit) once it reaches no patient any more.

	`leaving` is an account that is about to stop counting (being deleted). Staff logins are never
	touched: a portal account can only ever point at a Website User.
	"""
	filters: dict[str, Any] = {
		"user": user,
		"status": ("in", (AccountStatus.ACTIVE, AccountStatus.INVITED, AccountStatus.ENABLED)),
	}
	if leaving:
		filters["name"] = ("!=", leaving)
	if frappe.db.exists(ACCOUNT, filters):
		return False
	if frappe.db.get_value("User", user, "user_type") != "Website User":
		return False
	frappe.db.set_value("User", user, "enabled", 0)
	end_sessions_after_commit(user)
	return True


def cut_off_login(user: str | None) -> None:
	"""Disable the login when it reaches no other patient, and end all its sessions after commit."""
	if not user:
		return
	retire_user_if_unused(user)
	end_sessions_after_commit(user)
	forget_forced_change(user)


def forget_forced_change(user: str | None) -> None:
	"""Drop the cached "must change the password" answer for `user` (now and after commit)."""
	forget_cached(FORCED_CHANGE_CACHE_KEY, user)
