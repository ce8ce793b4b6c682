"""The portal's "Forgot password?": the person asks, by username or contact email, for a reset link.

The answer is the same whatever was typed; the mail, when there is a login to reset, goes only to the
contact address of that login's account, and names the username so a shared inbox knows which one.
"""

from typing import Any

import frappe
from frappe import _

from portal_onboarding.accounts import password_reset
from portal_onboarding.audit import log_event
from portal_onboarding.constants import ACCOUNT, PATIENT_ROLE, AccessType, AccountStatus, EventType
from portal_onboarding.core.eligibility import is_valid_email, normalise_email
from portal_onboarding.core.usernames import normalise_username
from portal_onboarding.onboarding import lock_account
from portal_onboarding.security.actions import app_action
from portal_onboarding.security.ratelimit import within

# Logins one request may reach (a family sharing an inbox), and mails per login per hour.
MAX_LOGINS_PER_REQUEST = 5
MAILS_PER_LOGIN = 3


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
def request(identifier: str) -> int:
	"""Mail a reset link to each login the identifier reaches; returns how many went (for tests only)."""
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
			_("Asked for on the portal's sign-in page"),
		)
		password_reset.issue(account, self_service=True)
		sent += 1
	return sent
