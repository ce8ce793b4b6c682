"""Sites that had the app before account management get the settings' defaults for its new fields."""

import frappe

from portal_onboarding.constants import DEFAULT_DELETE_AFTER_DAYS, DEFAULT_RESET_HOURS, SETTINGS


def execute() -> None:
	for field, default in (
		("password_reset_lifetime_hours", DEFAULT_RESET_HOURS),
		("delete_after_days", DEFAULT_DELETE_AFTER_DAYS),
	):
		if not frappe.db.get_single_value(SETTINGS, field):
			frappe.db.set_single_value(SETTINGS, field, default)
