"""Guest endpoints refuse POSTs that pages of other sites make (see `core.same_site`)."""

import frappe
from frappe import _

from portal_onboarding.core.same_site import from_own_pages, host_of
from portal_onboarding.security.mailed_links import configured_base_url


def own_hosts() -> set[str]:
	"""The host the browser addressed, and the configured portal address's host."""
	hosts = {(frappe.get_request_header("Host") or "").lower(), host_of(configured_base_url()) or ""}
	return {h for h in hosts if h}


def refuse_cross_site() -> None:
	"""Raise 403 for a request another site's page sent; Python calls (no request) pass."""
	if not frappe.request:
		return
	if not from_own_pages(
		frappe.get_request_header("Origin"), frappe.get_request_header("Referer"), own_hosts()
	):
		raise frappe.PermissionError(_("This request did not come from the patient portal's own pages."))
