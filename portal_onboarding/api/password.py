"""Passwords on the portal: a reset link's holder choosing one, and a login choosing a new one."""

import frappe
from frappe import _

from portal_onboarding.accounts import password_change, password_reset
from portal_onboarding.activation import invalid_link_message
from portal_onboarding.security.ratelimit import count, limit_guest

# Guest budgets per hour: generous per address, small per link.
LIMITS = {"check_reset_link": (300, 30), "reset_password": (100, 10)}
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
