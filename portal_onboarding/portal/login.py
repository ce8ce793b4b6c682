"""Frappe's sign-in page, pointed at the portal's own "Forgot password?" and sign-up pages."""

import json

from frappe import _

FORGOT_PATH = "/portal/forgot-password"
SIGN_UP_PATH = "/portal/register"

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
	leave();
	window.addEventListener("hashchange", leave);
	if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", point);
	else point();
})();
</script>"""


def js_string(text: str) -> str:
	"""A JavaScript string literal that cannot close the surrounding script element."""
	return json.dumps(text).replace("<", "\\u003c")


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
