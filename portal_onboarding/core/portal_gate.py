"""What a portal login may call: an allowlist, because a login can reach every whitelisted method of
every installed app and those do not all check permissions. Everything not named here is refused
before it runs; pages (the portal's own, Frappe's web pages) are guarded by their own checks."""

from portal_onboarding.core.password_gate import requested_method

# Method -> why a portal login needs it. Short on purpose: each entry is reviewed, and a test compares
# the list with everything Frappe has whitelisted on the site.
PORTAL_METHODS: dict[str, str] = {
	# Signing in and out, and Frappe's own check of who is signed in (the web pages' navbar).
	"login": "signing in",
	"logout": "signing out",
	"web_logout": "signing out from a web page",
	"frappe.auth.get_logged_user": "the web pages ask who is signed in",
	# The portal's own endpoints: each resolves the patient through the login's Active grants.
	"portal_onboarding.api.portal.choose_patient": "the patient switcher",
	"portal_onboarding.api.portal.update_contact": "a Self login corrects its contact details",
	"portal_onboarding.api.password.change_password": "choosing a new password",
	"portal_onboarding.api.forms.start": "opening a requested form (checks the grant and the Forms section)",
	"portal_onboarding.api.invoices.download": "an invoice as PDF (checks the grant and Invoices)",
	"portal_onboarding.api.invoices.pay": "Pay now on an invoice (checks the grant and Invoices)",
	"portal_onboarding.api.documents.download": "a shared document (checks the grant and Documents)",
	"portal_onboarding.api.proxies.invite": "an adult patient invites a proxy to their own record",
	"portal_onboarding.api.proxies.change": "an adult patient changes a proxy's sections or end date",
	"portal_onboarding.api.proxies.revoke": "an adult patient stops a proxy's access",
	# Frappe's web form submit: reached only for forms the login was asked to fill in (checked again by
	# the app's web form hooks, which bind the document to the request's patient).
	"frappe.website.doctype.web_form.web_form.accept": "sending a requested web form",
	# Guest endpoints of the activation, sign-up and reset pages, which a signed-in person may open
	# too (a parent's second child's link): rate limited, and they answer only for the link presented.
	"portal_onboarding.api.invitation.check_link": "the activation page, signed in",
	"portal_onboarding.api.invitation.verify_identity": "the activation page, signed in",
	"portal_onboarding.api.invitation.check_username": "the activation page, signed in",
	"portal_onboarding.api.invitation.accept": "adding a patient to the login already held",
	"portal_onboarding.api.password.check_reset_link": "the reset page, signed in",
	"portal_onboarding.api.password.reset_password": "the reset page, signed in",
	"portal_onboarding.api.password.request_reset": "the forgot-password page, signed in",
	"portal_onboarding.api.registration.register": "the sign-up page, signed in",
	"portal_onboarding.api.registration.verify_sign_up": "a sign-up's mailed link, opened signed in",
	# The checkout page Pay now leads to (Frappe's payments app) calls this from the browser; a guest
	# endpoint anyway, so listing it gives a signed-in payer nothing a guest lacks.
	"payments.templates.pages.braintree_checkout.make_payment": "paying on the Braintree checkout page",
}

# Gateways of Frappe's payments app (by their settings doctype) whose checkout page works for a portal
# login, and the call that page makes from the browser (listed above). Pay now is offered only through
# these: another gateway's page would call a method the gate refuses.
CHECKOUT_METHODS: dict[str, str] = {
	"Braintree Settings": "payments.templates.pages.braintree_checkout.make_payment",
}

# Document and doctype APIs have no place in the portal: its pages read through the grants.
DOCUMENT_API_PREFIXES = ("/api/resource", "/api/v1/resource", "/api/v2/document", "/api/v2/doctype")


def portal_request_allowed(path: str, cmd: str | None) -> bool:
	"""Whether a portal login may make this request: a listed method, or a page (never another API)."""
	path = "/" + (path or "").lstrip("/")
	method = requested_method(path, cmd)
	if method is not None:
		return method in PORTAL_METHODS
	if path.startswith(DOCUMENT_API_PREFIXES):
		return False
	return not path.startswith("/api/")
