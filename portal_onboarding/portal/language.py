"""Guests on the portal's pages and the sign-in page get their browser's language.

Frappe means to pick a guest's language from the `preferred_language` cookie or the Accept-Language
header, but v15 decides "logged in" before the session exists and so keeps the site's language. This
`before_request` hook does it for the app's own pages and endpoints once the session is known.
"""

import frappe
from frappe.translate import get_all_languages, get_parent_language

from portal_onboarding.core.password_gate import requested_method

OWN_PATHS = ("/portal",)
OWN_METHODS = ("portal_onboarding.",)


def is_own_request(path: str, cmd: str | None) -> bool:
	method = requested_method(path, cmd)
	if method is not None:
		return method.startswith(OWN_METHODS)
	# /login too: the sign-in page the portal sends patients to, with its links to the portal's pages.
	return path in ("/portal", "/login") or path.startswith("/portal/")


def set_guest_language() -> None:
	"""before_request: a guest's language from the cookie, else the browser's Accept-Language."""
	request = frappe.local.request
	if frappe.session.user != "Guest" or frappe.form_dict.get("_lang"):
		return
	if not is_own_request(request.path, frappe.form_dict.get("cmd")):
		return
	available = set(get_all_languages() or [])
	wanted = [request.cookies.get("preferred_language"), *request.accept_languages.values()]
	for language in filter(None, wanted):
		for candidate in (language, get_parent_language(language)):
			if candidate in available:
				frappe.local.lang = candidate
				return
