"""Mailed links start with the configured portal address, never with the request's Host header.

The address is the setting Portal Address for Mailed Links, else the site's `host_name`. With
neither, a mail the clinic sends (an invitation, an admin's reset) falls back to the site's own name,
which is configuration too; a mail a guest asks for (forgot password, sign-up) is not sent at all,
and an Error Log and the settings form say why: a guest's request must never decide where a link
points.
"""

from datetime import timedelta
from typing import Any

import frappe
from frappe import _
from frappe.utils import now_datetime

from portal_onboarding.core.base_url import mailed_link, normalise_base_url
from portal_onboarding.settings import get_settings

MISSING_TITLE = "Portal address not set"


def configured_base_url(settings: Any = None) -> str | None:
	"""The setting, else the site's `host_name` (or `hostname`); None when neither is set."""
	setting = (settings or get_settings()).portal_base_url
	return normalise_base_url(setting or frappe.conf.get("host_name") or frappe.conf.get("hostname"))


def site_base_url() -> str:
	"""The site's own name, as Frappe builds it outside a request."""
	scheme = "https://" if frappe.conf.get("ssl_certificate") else "http://"
	return scheme + frappe.local.site


def clinic_link(path: str, token: str | None = None) -> str:
	"""The absolute link to `path` (the key in its fragment) in a mail the clinic sends."""
	return mailed_link(configured_base_url() or site_base_url(), path, token)


def guest_link(path: str, token: str | None = None) -> str | None:
	"""The link in a mail a guest asked for; None while no portal address is configured (the caller
	then sends nothing)."""
	base = configured_base_url()
	if base is None:
		report_missing()
		return None
	return mailed_link(base, path, token)


def report_missing() -> None:
	"""One Error Log an hour says guest mails are held back until the portal address is set."""
	recent = frappe.db.exists(
		"Error Log", {"method": MISSING_TITLE, "creation": (">", now_datetime() - timedelta(hours=1))}
	)
	if recent:
		return
	frappe.log_error(
		title=MISSING_TITLE,
		message=_(
			"A password reset or sign-up confirmation was not mailed: set Portal Address for Mailed Links "
			"in Portal Onboarding Settings (or host_name in the site config), so links never take their "
			"address from a visitor's request."
		),
	)
