"""Password reset links the clinic mails to an account's holder: single use, only the hash kept."""

from typing import Any

import frappe
from frappe import _
from frappe.utils import format_datetime, now_datetime
from frappe.utils.password import update_password

from portal_onboarding.accounts.password_change import clear_forced_change
from portal_onboarding.constants import ACCOUNT, PASSWORD_RESET, AccountStatus, EventType, ResetStatus
from portal_onboarding.core.tokens import issue_token
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.links import find_live_link, revoke_live_resets
from portal_onboarding.primitives.logins import password_problem
from portal_onboarding.security.actions import app_action
from portal_onboarding.security.mail import clinic_name, in_language
from portal_onboarding.security.mail import render as render_html
from portal_onboarding.security.mail import send as send_mail
from portal_onboarding.security.mailed_links import clinic_link, configured_base_url, report_missing
from portal_onboarding.security.sessions import end_sessions_after_commit
from portal_onboarding.settings import get_settings

RESET_PATH = "/portal/reset-password"


def issue(account: Any, self_service: bool = False) -> str | None:
	"""Mail the account's holder a new reset link, revoking earlier ones; returns the link's record.

	The caller holds the patient's lock and has checked that the account is Active with a login.
	`self_service` when the person asked for it on the portal rather than the clinic sending it: then
	nothing is done (None) while no portal address is configured, see `security.mailed_links`.
	"""
	if self_service and configured_base_url() is None:
		report_missing()
		return None
	if not account.contact_email:
		frappe.throw(
			_(
				"The portal account has no email address to send the reset link to. "
				"Use Set credentials to give the person a temporary password instead."
			),
			title=_("No email address"),
		)
	revoke_live_resets(account.name, _("A new password reset link was sent."))
	issued = issue_token(now_datetime(), int(get_settings().password_reset_lifetime_hours))
	reset = frappe.get_doc(
		{
			"doctype": PASSWORD_RESET,
			"account": account.name,
			"user": account.user,
			"sent_to": account.contact_email,
			"status": ResetStatus.SENT,
			"token_hash": issued.token_hash,
			"expires_on": issued.expires_on,
			"sent_on": now_datetime(),
		}
	).insert(ignore_permissions=True)
	message = render_mail(account, clinic_link(RESET_PATH, issued.token), issued.expires_on, self_service)
	send_mail([account.contact_email], message["subject"], message["message"], PASSWORD_RESET, reset.name)
	log_event(
		EventType.PASSWORD_RESET_SENT,
		account.name,
		account.patient,
		_("Reset link {0} to {1}, valid until {2}").format(
			reset.name, account.contact_email, format_datetime(issued.expires_on)
		),
	)
	return reset.name


def render_mail(account: Any, link: str, expires_on: Any, self_service: bool = False) -> dict[str, str]:
	"""Subject and body in the person's language."""
	with in_language(frappe.db.get_value("Patient", account.patient, "language")):
		context = {
			"first_name": account.first_name,
			"clinic_name": clinic_name(),
			"reset_link": link,
			"expires_on": format_datetime(expires_on),
			"username": account.username,
			"self_service": self_service,
		}
		return {
			"subject": _("Reset your {0} patient portal password").format(clinic_name()),
			"message": render_html("portal_onboarding/templates/emails/portal_password_reset.html", context),
		}


def find(key: str | None, lock: bool = False) -> Any | None:
	"""The live reset link this key opens, or None for any kind of bad key (one answer for all)."""
	reset = find_live_link(PASSWORD_RESET, key, ResetStatus.SENT, lock)
	if reset is None:
		return None
	account = frappe.db.get_value(ACCOUNT, reset.account, ["status", "user"], as_dict=True)
	if not account or account.status != AccountStatus.ACTIVE or account.user != reset.user:
		return None
	if not frappe.db.get_value("User", reset.user, "enabled"):
		return None
	return reset


@app_action
def use(reset: Any, password: str) -> str | None:
	"""Set the new password through a link read under its lock; the problem with it, or None."""
	account = frappe.get_doc(ACCOUNT, reset.account, for_update=True)
	problem = password_problem(password, account)
	if problem:
		return problem
	update_password(reset.user, password)
	frappe.db.set_value(
		PASSWORD_RESET,
		reset.name,
		{"status": ResetStatus.USED, "used_on": now_datetime(), "token_hash": None},
	)
	log_event(EventType.PASSWORD_RESET_USED, account.name, account.patient, reset.name)
	clear_forced_change(reset.user)
	end_sessions_after_commit(reset.user)
	return None


@app_action
def expire_overdue() -> None:
	"""Mark unused links past their expiry Expired, hashes gone."""
	overdue = frappe.get_all(
		PASSWORD_RESET,
		filters={"status": ResetStatus.SENT, "expires_on": ("<=", now_datetime())},
		pluck="name",
	)
	for name in overdue:
		frappe.db.set_value(PASSWORD_RESET, name, {"status": ResetStatus.EXPIRED, "token_hash": None})
