"""Frappe's web form submit, refused for a form that is not published (Frappe's own does not check)."""

import frappe
from frappe import _
from frappe.website.doctype.web_form.web_form import accept as frappe_accept

from portal_onboarding.security.same_site import refuse_cross_site


@frappe.whitelist(allow_guest=True, methods=["POST"])
def accept(web_form: str, data: str) -> object:
	"""Frappe's `accept`, for published web forms only: an unpublished one is closed by every route.
	Like every guest endpoint of the app, it refuses another site's POST."""
	refuse_cross_site()
	if not frappe.db.get_value("Web Form", web_form, "published"):
		raise frappe.PermissionError(_("This form is not available."))
	return frappe_accept(web_form, data)
