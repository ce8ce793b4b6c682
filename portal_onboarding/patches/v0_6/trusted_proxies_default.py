"""Sites that had the app before Trusted Proxies existed get its default (bench's own nginx), so the
settings form shows what the rate limits and the audit believe rather than an empty field."""

import frappe

from portal_onboarding.constants import SETTINGS
from portal_onboarding.core.client_address import DEFAULT_TRUSTED_PROXIES


def execute() -> None:
	if not (frappe.db.get_single_value(SETTINGS, "trusted_proxies") or "").strip():
		frappe.db.set_single_value(SETTINGS, "trusted_proxies", DEFAULT_TRUSTED_PROXIES)
