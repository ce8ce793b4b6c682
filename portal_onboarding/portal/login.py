"""Frappe's sign-in page, pointed at the portal's own "Forgot password?" and sign-up pages, and the page
frame (stylesheet, form script) that makes it, the portal's pages and its requested web forms meet
WCAG 2.1 AA."""

import json

from frappe import _

from portal_onboarding import __version__
from portal_onboarding.forms.requests import requested_doctypes

FORGOT_PATH = "/portal/forgot-password"
SIGN_UP_PATH = "/portal/register"
# Only these pages get the frame: Desk and the rest of the website keep Frappe's look.
STYLESHEET = f"/assets/portal_onboarding/css/portal.css?v={__version__}"
FORM_SCRIPT = f"/assets/portal_onboarding/js/portal.js?v={__version__}"
BODY_CLASS = "portal-onboarding"

SCRIPT = """<script>
(function () {
	var forgot = %(forgot)s, signUp = %(sign_up)s, label = %(label)s, link = %(link)s;
	function leave() { if (window.location.hash === "#forgot") window.location.replace(forgot); }
	function point() {
		document.querySelectorAll(".forgot-password-message a").forEach(function (a) {
			a.setAttribute("href", forgot);
		});
		var after = document.querySelector(".for-login .forgot-password-message");
		if (after && !document.querySelector("[data-portal-sign-up]")) {
			var p = document.createElement("p");
			p.className = "text-center sign-up-message";
			p.setAttribute("data-portal-sign-up", "");
			p.appendChild(document.createTextNode(label + " "));
			var a = document.createElement("a");
			a.href = signUp;
			a.textContent = link;
			p.appendChild(a);
			after.parentNode.insertBefore(p, after.nextSibling);
		}
	}
	// What Frappe's template leaves out for screen readers and keyboards.
	function mend() {
		// The logo repeats the heading beside it ("Login to ..."): decorative.
		document.querySelectorAll(".page-card-head img").forEach(function (img) {
			if (!img.hasAttribute("alt")) img.setAttribute("alt", "");
		});
		// "Show" is a <span> with a click handler: make it a button the keyboard reaches.
		document.querySelectorAll(".toggle-password").forEach(function (toggle) {
			toggle.setAttribute("role", "button");
			toggle.setAttribute("tabindex", "0");
			toggle.setAttribute("aria-controls", (toggle.getAttribute("toggle") || "").replace("#", ""));
			toggle.addEventListener("keydown", function (event) {
				if (event.key !== "Enter" && event.key !== " ") return;
				event.preventDefault();
				toggle.click();
			});
		});
		// A refused sign-in only rewrites the button's text: say it aloud and tie it to the fields.
		var fields = ["login_email", "login_password"].map(function (id) { return document.getElementById(id); });
		if (!window.login || !login.set_status || !fields[0]) return;
		var alert = document.createElement("p");
		alert.id = "portal-login-error";
		alert.className = "sr-only";
		alert.setAttribute("role", "alert");
		fields[1].parentNode.appendChild(alert);
		var setStatus = login.set_status;
		login.set_status = function (message, color) {
			setStatus.apply(this, arguments);
			var refused = color === "red";
			alert.textContent = refused ? message : "";
			fields.forEach(function (field) {
				if (refused) {
					field.setAttribute("aria-invalid", "true");
					field.setAttribute("aria-describedby", alert.id);
				} else {
					field.removeAttribute("aria-invalid");
					field.removeAttribute("aria-describedby");
				}
			});
		};
	}
	leave();
	window.addEventListener("hashchange", leave);
	function ready() { point(); mend(); }
	if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
	else ready();
})();
</script>"""


def js_string(text: str) -> str:
	"""A JavaScript string literal that cannot close the surrounding script element."""
	return json.dumps(text).replace("<", "\\u003c")


def is_portal_page(context: dict) -> bool:
	"""The portal's pages, the sign-in page, and the web forms the clinic requests through the portal."""
	path = (context.get("path") or "").strip("/")
	if path in ("login", "portal") or path.startswith("portal/"):
		return True
	doc = context.get("doc")
	return getattr(doc, "doctype", None) == "Web Form" and doc.doc_type in requested_doctypes()


def dress_portal_pages(context: dict) -> None:
	"""update_website_context: the portal's stylesheet, form script and body class, on its pages and /login."""
	if not is_portal_page(context):
		return
	# New lists: the ones in the context are the site's hooks, shared by every page.
	context["web_include_css"] = [*(context.get("web_include_css") or []), STYLESHEET]
	context["web_include_js"] = [*(context.get("web_include_js") or []), FORM_SCRIPT]
	context["body_class"] = " ".join(filter(None, [context.get("body_class"), BODY_CLASS]))


def point_login_page(context: dict) -> None:
	"""update_website_context: on /login, "Forgot Password?" and a sign-up link lead to the portal's pages."""
	if (context.get("path") or "").strip("/") != "login":
		return
	script = SCRIPT % {
		"forgot": js_string(FORGOT_PATH),
		"sign_up": js_string(SIGN_UP_PATH),
		"label": js_string(_("New to the patient portal?")),
		"link": js_string(_("Sign up")),
	}
	context["body_include"] = (context.get("body_include") or "") + script
	# Frappe titles the page with the English word; a Spanish reader gets "Iniciar sesión" (2.4.2, 3.1.1).
	context["title"] = _("Login")
