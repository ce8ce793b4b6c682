"""Force a password change on next login: the flag, the request gate, and the change itself."""

from werkzeug.exceptions import HTTPException
from werkzeug.utils import redirect

import frappe
from frappe import _
from frappe.utils.password import check_password, update_password

from portal_onboarding.constants import ACCOUNT, EventType
from portal_onboarding.core.password_gate import (
	CHANGE_PASSWORD_PATH,
	LOGIN_METHOD,
	allowed_during_password_change,
	is_page_request,
	requested_method,
)
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.locks import lock_patient_row
from portal_onboarding.primitives.logins import (
	FORCED_CHANGE_CACHE_KEY,
	forget_forced_change,
	password_problem,
)
from portal_onboarding.security.actions import app_action
from portal_onboarding.security.sessions import end_sessions_after_commit


def must_change_password(user: str | None) -> bool:
	"""True while any account on this login carries the force-password-change flag (cached)."""
	if not user or user in ("Guest", "Administrator"):
		return False

	def lookup() -> int:
		return int(bool(frappe.db.exists(ACCOUNT, {"user": user, "force_password_change": 1})))

	return bool(frappe.cache.hget(FORCED_CHANGE_CACHE_KEY, user, generator=lookup))


def gate() -> None:
	"""Auth hook: a login that must change its password reaches only the page that changes it.

	Pages redirect there; every API and RPC call is refused, so no patient data answers them.
	"""
	user = frappe.session.user
	if not user or user == "Guest":
		return
	if (frappe.session.data or {}).get("user_type") == "System User":
		return  # accounts only ever point at Website Users
	if not must_change_password(user):
		return
	request = frappe.local.request
	cmd = frappe.form_dict.get("cmd")
	if allowed_during_password_change(request.path, cmd):
		if requested_method(request.path, cmd) == LOGIN_METHOD:
			frappe.local.response["home_page"] = CHANGE_PASSWORD_PATH  # where the login page sends them
		return
	if is_page_request(request.path, cmd) and request.method in ("GET", "HEAD"):
		raise HTTPException(response=redirect(CHANGE_PASSWORD_PATH, 303))
	frappe.throw(
		_("Please choose a new password before you continue."),
		frappe.PermissionError,
		title=_("New password needed"),
	)


def clear_forced_change(user: str) -> list[str]:
	"""Clear the flag on every account of `user`, each under its patient's lock, audited."""
	accounts = frappe.get_all(
		ACCOUNT,
		filters={"user": user, "force_password_change": 1},
		fields=["name", "patient"],
		order_by="patient asc",
	)
	for row in accounts:
		lock_patient_row(row.patient)
		account = frappe.get_doc(ACCOUNT, row.name, for_update=True)
		account.force_password_change = 0
		account.save(ignore_permissions=True)
	forget_forced_change(user)
	return [row.name for row in accounts]


@app_action
def change(user: str, new_password: str) -> str | None:
	"""Set a portal login's new password; the problem with it, or None when it is set."""
	accounts = frappe.get_all(
		ACCOUNT, filters={"user": user}, fields=["name", "patient"], order_by="patient asc", limit=1
	)
	if not accounts:
		frappe.throw(_("Only patient portal logins can change their password here."), frappe.PermissionError)
	account = frappe.get_doc(ACCOUNT, accounts[0].name)
	problem = password_problem(new_password, account)
	if problem:
		return problem
	try:
		check_password(user, new_password, delete_tracker_cache=False)
		return _("Please choose a password different from your current one.")
	except frappe.AuthenticationError:
		pass
	update_password(user, new_password)
	cleared = clear_forced_change(user)
	for name in cleared or [account.name]:
		log_event(EventType.PASSWORD_CHANGED, name, None, _("Changed by the login's holder"))
	end_sessions_after_commit(user)  # every other session; this one stays signed in
	return None
