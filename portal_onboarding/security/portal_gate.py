"""The portal login's request gate: deny by default (the allowlist is `core/portal_gate.py`).

A portal login is a Website User who holds the Patient role or any portal account. Staff (System
Users) and the site's other website users (customers, suppliers) are not this gate's business. Pages and
listed methods pass on a set lookup; only a refused request looks the login up.
"""

import frappe
from frappe import _

from portal_onboarding.constants import ACCOUNT, PATIENT_ROLE
from portal_onboarding.core.portal_gate import portal_request_allowed
from portal_onboarding.security.cache import forget_cached

CACHE_KEY = "portal_onboarding:portal_login"


def holds_an_account(user: str) -> bool:
	"""Whether any portal account (in any status) points at this login (cached until one changes)."""
	return bool(
		frappe.cache.hget(
			CACHE_KEY, user, generator=lambda: int(bool(frappe.db.exists(ACCOUNT, {"user": user})))
		)
	)


def forget(user: str | None) -> None:
	"""Drop the cached answer once an account's login changes (now and after the change commits)."""
	forget_cached(CACHE_KEY, user)


def is_portal_login(user: str | None) -> bool:
	"""A Website User with the Patient role or any portal account: what the portal's rules govern."""
	if not user or user == "Guest":
		return False
	if frappe.db.get_value("User", user, "user_type", cache=True) != "Website User":
		return False
	return PATIENT_ROLE in frappe.get_roles(user) or holds_an_account(user)


def gate() -> None:
	"""Auth hook: a portal login's call of anything not on the allowlist is refused, nothing run."""
	user = frappe.session.user
	if not user or user in ("Guest", "Administrator"):
		return
	if (frappe.session.data or {}).get("user_type") == "System User":
		return
	if portal_request_allowed(frappe.local.request.path, frappe.form_dict.get("cmd")):
		return
	if not is_portal_login(user):
		return
	frappe.throw(_("This is not available on the patient portal."), frappe.PermissionError)
