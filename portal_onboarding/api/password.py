"""Passwords on the portal: a reset link's holder choosing one, and a login choosing a new one."""

import frappe
from frappe import _

from portal_onboarding.accounts import password_change, password_reset
from portal_onboarding.core.eligibility import normalise_email
from portal_onboarding.core.tokens import hash_token
from portal_onboarding.invitations.activation import invalid_link_message
from portal_onboarding.security.client import client_address
from portal_onboarding.security.ratelimit import count, limit_guest

# Guest budgets per hour: generous per address, small per link (or per username or address typed).
LIMITS = {"check_reset_link": (300, 30), "reset_password": (100, 10), "request_reset": (30, 5)}
CHANGES_PER_LOGIN = 20


def invalid_link() -> dict:
	return {"ok": False, "invalid_link": True, "message": invalid_link_message()}


@frappe.whitelist(allow_guest=True, methods=["POST"])
def check_reset_link(key: str) -> dict:
	"""Whether this reset link still works."""
	limit_guest("check_reset_link", key, *LIMITS["check_reset_link"])
	if password_reset.find(key) is None:
		return invalid_link()
	return {"ok": True, "invalid_link": False, "message": ""}


@frappe.whitelist(allow_guest=True, methods=["POST"])
def reset_password(key: str, password: str) -> dict:
	"""Set the new password through the link, sign the person in and say where to go."""
	limit_guest("reset_password", key, *LIMITS["reset_password"])
	reset = password_reset.find(key, lock=True)
	if reset is None:
		return invalid_link()
	problem = password_reset.use(reset, password or "")
	if problem:
		return {"ok": False, "invalid_link": False, "message": problem}
	frappe.local.login_manager.login_as(reset.user)
	return {"ok": True, "invalid_link": False, "message": "", "redirect_to": "/portal"}


def request_sent() -> str:
	"""The one answer to every request, whether or not anything was found."""
	return _(
		"If what you typed belongs to a patient portal login, we have emailed a link to choose a new "
		"password to the address on file. Please check your inbox."
	)


def queue_answer(typed: str, frappe_logins: bool = False) -> None:
	"""Leave the lookup, every write and every mail to a worker, whoever was asked for.

	A request that looked the name up, wrote and mailed for a real login but not for an unknown one
	would tell them apart by how long it took; so each request queues the same one job and no more.
	"""
	frappe.enqueue(
		"portal_onboarding.jobs.answer_forgot_password",
		queue="short",
		enqueue_after_commit=True,
		job_id=answer_job_id(typed, frappe_logins),
		deduplicate=True,
		identifier=typed,
		request_id=frappe.generate_hash(),
		frappe_logins=frappe_logins,
		client_ip=client_address(),
	)


def answer_job_id(typed: str, frappe_logins: bool = False) -> str:
	"""One queued job per identifier (as it is compared) and endpoint; the id names no one."""
	endpoint = "frappe" if frappe_logins else "portal"
	return f"portal_onboarding:forgot_password:{endpoint}:{hash_token(normalise_email(typed) or '')}"


@frappe.whitelist(allow_guest=True, methods=["POST"])
def request_reset(identifier: str | None = None) -> dict:
	"""Forgot password: mail a reset link to the login a username or contact email reaches."""
	typed = (identifier or "").strip()
	limit_guest("request_reset", normalise_email(typed) or "", *LIMITS["request_reset"])
	if not typed:
		return {"ok": False, "message": _("Please enter your username or email address.")}
	queue_answer(typed)
	return {"ok": True, "message": request_sent()}


@frappe.whitelist(allow_guest=True, methods=["POST"])
def frappe_reset_password(user: str) -> str | None:
	"""Frappe's own "Forgot Password?" endpoint, in place of Frappe's for this site.

	A portal login (a user some portal account points at), or anything that is no user, goes through
	our own audited flow; staff and the site's other website users still get Frappe's mail (both sent
	by the worker). Whoever is asked for, the answer is the one Frappe gives when it sent
	instructions, so it never tells who exists.
	"""
	typed = (user or "").strip()
	limit_guest("request_reset", normalise_email(typed) or "", *LIMITS["request_reset"])
	if typed:
		queue_answer(typed, frappe_logins=True)
	return frappe.msgprint(
		msg=_("Password reset instructions have been sent to your email"),
		title=_("Password Email Sent"),
	)


@frappe.whitelist(methods=["POST"])
def change_password(new_password: str) -> dict:
	"""The signed-in portal login chooses a new password (required after temporary credentials)."""
	user = frappe.session.user
	if user == "Guest":
		frappe.throw(_("Please sign in first."), frappe.PermissionError)
	count(f"change_password:{user}", CHANGES_PER_LOGIN)
	problem = password_change.change(user, new_password or "")
	if problem:
		return {"ok": False, "message": problem}
	return {"ok": True, "message": _("Your new password is set."), "redirect_to": "/portal"}
