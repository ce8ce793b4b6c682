import frappe
from frappe import _

from portal_onboarding.permissions import portal_grants

no_cache = 1


def get_context(context: dict) -> dict:
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = "/login?redirect-to=/portal"
		raise frappe.Redirect
	context.title = _("Patient Portal")
	context.grants = portal_grants()
	context.show_sidebar = False
	return context
