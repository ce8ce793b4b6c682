"""The portal's "Forgot password?": the person asks, by username or contact email, for a reset link.

The answer is the same whatever was typed; the mail, when there is a login to reset, goes only to the
contact address of that login's account, and names the username so a shared inbox knows which one.
The request only queues `answer`: the lookup, the writes and the mail happen in a worker, so a request
for a real login takes no longer than one for a name nobody has.
"""

import re
import traceback
from typing import Any

import frappe
from frappe import _

from portal_onboarding.accounts import password_reset
from portal_onboarding.constants import ACCOUNT, PATIENT_ROLE, AccessType, AccountStatus, EventType
from portal_onboarding.core.eligibility import is_valid_email, normalise_email
from portal_onboarding.core.usernames import normalise_username
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.locks import lock_account
from portal_onboarding.security.actions import app_action
from portal_onboarding.security.ratelimit import within

# Logins one request may reach (a family sharing an inbox), and mails per login per hour.
MAX_LOGINS_PER_REQUEST = 5
MAILS_PER_LOGIN = 3
# A request served is remembered this long, so its job run again sends nothing more.
SERVED_SECONDS = 24 * 60 * 60
SAVEPOINT = "portal_forgot_password"


def accounts_for(identifier: str) -> dict[str, str]:
	"""{login: account} for the Active accounts a username or a contact email reaches, Self first."""
	text = (identifier or "").strip()
	if not text:
		return {}
	if is_valid_email(text):
		filters: dict[str, Any] = {"contact_email": normalise_email(text), "user": ("is", "set")}
	else:
		user = frappe.db.get_value(
			"User",
			{"username": normalise_username(text), "enabled": 1, "user_type": "Website User"},
			"name",
		)
		if not user or not frappe.db.exists("Has Role", {"parent": user, "role": PATIENT_ROLE}):
			return {}
		filters = {"user": user}
	rows = frappe.get_all(
		ACCOUNT,
		# The lookup's own keys last would be overwritten by nothing: every key here narrows it.
		filters={"status": AccountStatus.ACTIVE, **filters},
		fields=["name", "user", "access_type"],
		order_by="creation asc",
	)
	found: dict[str, str] = {}
	for row in sorted(rows, key=lambda r: r.access_type != AccessType.SELF):
		found.setdefault(row.user, row.name)
	return dict(list(found.items())[:MAX_LOGINS_PER_REQUEST])


@app_action
def request(identifier: str, client_ip: str | None = None) -> int:
	"""Mail a reset link to each login the identifier reaches; returns how many went (for tests only).

	`client_ip` is the address the request came from, for the audit: the worker that runs this has none.
	"""
	details = (
		_("Asked for on the portal's sign-in page from {0}").format(client_ip)
		if client_ip
		else _("Asked for on the portal's sign-in page")
	)
	sent = 0
	for user, account_name in accounts_for(identifier).items():
		if not within(f"self_reset:{user}", MAILS_PER_LOGIN):
			continue  # past this login's hourly mails: silently, the answer never changes
		account = lock_account(account_name)
		if account.status != AccountStatus.ACTIVE or account.user != user or not account.contact_email:
			continue
		if not frappe.db.get_value("User", user, "enabled"):
			continue
		log_event(
			EventType.PASSWORD_RESET_REQUESTED,
			account.name,
			account.patient,
			details,
		)
		password_reset.issue(account, self_service=True)
		sent += 1
	return sent


def answer(
	identifier: str, request_id: str, frappe_logins: bool = False, client_ip: str | None = None
) -> None:
	"""The worker's half of a forgot-password request: mail whoever the identifier reaches, or nobody.

	`frappe_logins` when asked through Frappe's own endpoint: then a login the portal does not govern
	(staff, the site's other website users) gets Frappe's own reset mail. A failure is logged without
	what was typed and leaves the request unserved, so running the job again is safe either way.
	"""
	served = f"portal_onboarding:forgot_password:served:{request_id}"
	if frappe.cache.exists(served):
		return
	frappe.db.savepoint(SAVEPOINT)
	try:
		other = frappe_login(identifier) if frappe_logins else None
		if other:
			send_frappe_reset(other)
		else:
			request(identifier, client_ip)
	except Exception as error:
		roll_back()
		frappe.log_error(
			title=_("A forgot-password request failed"), message=failure_report(error, identifier)
		)
		return
	# Remembered once the work is committed, never before: a job that failed may still be run again.
	frappe.db.after_commit.add(lambda: frappe.cache.set_value(served, 1, expires_in_sec=SERVED_SECONDS))


def frappe_login(identifier: str) -> str | None:
	"""The enabled login, not a portal login, that Frappe's own reset mail serves; else None."""
	if frappe.db.exists(ACCOUNT, {"user": identifier}):
		return None
	user = frappe.db.get_value("User", {"name": identifier, "enabled": 1}, "name")
	return None if user in ("Administrator", "Guest") else user


def send_frappe_reset(user: str) -> None:
	"""Frappe's own reset link and mail; Frappe refusing (say, for a login kept elsewhere) stays quiet."""
	login = frappe.get_doc("User", user)
	try:
		login.validate_reset_password()
		login.reset_password(send_email=True)
	except frappe.ValidationError:
		frappe.clear_messages()


def roll_back() -> None:
	"""Undo the job's writes; Frappe's mail sent at once commits, after which only the rest can go."""
	try:
		frappe.db.rollback(save_point=SAVEPOINT)
	except Exception:
		frappe.db.rollback()


def failure_report(error: BaseException, identifier: str) -> str:
	"""The error and where it happened, with what was typed taken out, and no local variables."""
	text = "".join(traceback.format_exception(error))
	return re.sub(re.escape(identifier), "[...]", text, flags=re.IGNORECASE) if identifier else text
