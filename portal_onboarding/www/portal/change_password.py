import frappe
from frappe import _

from portal_onboarding.accounts.password_change import must_change_password
from portal_onboarding.core.password_gate import CHANGE_PASSWORD_PATH

no_cache = 1


def get_context(context: dict) -> dict:
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = f"/login?redirect-to={CHANGE_PASSWORD_PATH}"
		raise frappe.Redirect
	context.title = _("Choose a new password")
	context.required = must_change_password(frappe.session.user)
	context.show_sidebar = False
	context.no_breadcrumbs = True
	return context
