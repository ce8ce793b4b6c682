"""Marley's own portal pieces while the app is installed: its four email-matched menu items and its
open patient-registration web form are switched off, and switched back on at uninstall as they were.

What was switched off is remembered in the settings, so uninstall restores exactly that and leaves a
clinic's own earlier choices alone.
"""

import json

import frappe

from portal_onboarding.constants import SETTINGS

MARLEY_MENU_ROUTES = ("/personal-details", "/lab-test", "/prescription", "/patient-appointments")
REGISTRATION_WEB_FORM = "patient-registration"
OUR_MENU_ROUTE = "/portal"
STATE_FIELD = "replaced_marley_portal"


def saved_state() -> dict:
	return json.loads(frappe.db.get_single_value(SETTINGS, STATE_FIELD) or "{}")


def replace_marley_portal() -> None:
	"""Disable Marley's menu items and unpublish its registration form; remember what was on."""
	state = saved_state()
	disabled = set(state.get("menu_routes") or [])
	settings = frappe.get_single("Portal Settings")
	changed = False
	for row in settings.menu:
		if row.route in MARLEY_MENU_ROUTES and row.enabled:
			row.enabled = 0
			disabled.add(row.route)
			changed = True
	if changed:
		settings.save(ignore_permissions=True)
	unpublished = bool(state.get("unpublished_registration"))
	if frappe.db.get_value("Web Form", REGISTRATION_WEB_FORM, "published"):
		frappe.db.set_value("Web Form", REGISTRATION_WEB_FORM, "published", 0)
		unpublished = True
	frappe.db.set_single_value(
		SETTINGS,
		STATE_FIELD,
		json.dumps({"menu_routes": sorted(disabled), "unpublished_registration": unpublished}),
	)
	frappe.clear_cache()


def restore_marley_portal() -> None:
	"""Undo replace_marley_portal: what it switched off is on again; the app's menu item goes."""
	state = saved_state()
	settings = frappe.get_single("Portal Settings")
	for row in list(settings.menu):
		if row.route in (state.get("menu_routes") or []):
			row.enabled = 1
		elif row.route == OUR_MENU_ROUTE:
			settings.remove(row)
	settings.save(ignore_permissions=True)
	if state.get("unpublished_registration") and frappe.db.exists("Web Form", REGISTRATION_WEB_FORM):
		frappe.db.set_value("Web Form", REGISTRATION_WEB_FORM, "published", 1)
	frappe.db.set_single_value(SETTINGS, STATE_FIELD, None)
	frappe.clear_cache()
