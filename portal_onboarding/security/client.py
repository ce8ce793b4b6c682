"""The address a request came from, as the guest rate limits and the audit log record it.

Frappe's own `frappe.local.request_ip` is the first X-Forwarded-For entry, which any client can send;
here the header counts only as far as the proxies in Portal Onboarding Settings wrote it.
"""

import frappe

from portal_onboarding.core.client_address import client_address as resolve_client_address
from portal_onboarding.core.client_address import parse_trusted_proxies
from portal_onboarding.settings import get_settings


def client_address() -> str | None:
	"""This request's client address; None outside a request."""
	if not frappe.request:
		return None
	environ = frappe.request.environ
	# `bench serve --proxy` wraps the app in werkzeug's ProxyFix, which replaces REMOTE_ADDR with the last
	# X-Forwarded-For entry whoever sent it; the connection's own address is kept aside.
	peer = environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR", environ.get("REMOTE_ADDR"))
	trusted = parse_trusted_proxies(get_settings().trusted_proxies).networks
	return resolve_client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), trusted)
