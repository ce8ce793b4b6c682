"""What a login that must choose a new password may still reach: the page to choose it, and the way out."""

CHANGE_PASSWORD_PATH = "/portal/change-password"
CHANGE_PASSWORD_METHOD = "portal_onboarding.api.password.change_password"

# Paths that carry no patient data and that the change-password page itself needs.
ALLOWED_PATHS = frozenset({CHANGE_PASSWORD_PATH, "/favicon.ico", "/robots.txt", "/website_script.js"})
ALLOWED_PREFIXES = ("/assets/", "/files/")
# Signing in is allowed: the login request itself is where the person is told where to go.
LOGIN_METHOD = "login"
ALLOWED_METHODS = frozenset(
	{CHANGE_PASSWORD_METHOD, LOGIN_METHOD, "logout", "web_logout", "frappe.auth.get_logged_user"}
)
API_METHOD_PREFIXES = ("/api/method/", "/api/v1/method/", "/api/v2/method/")


def requested_method(path: str, cmd: str | None) -> str | None:
	"""The whitelisted method a request calls, by `cmd` or by its /api/method path; None for pages."""
	if cmd:
		return cmd
	for prefix in API_METHOD_PREFIXES:
		if path.startswith(prefix):
			return path[len(prefix) :].strip("/") or None
	return None


def is_page_request(path: str, cmd: str | None) -> bool:
	"""True for a page a browser navigates to, which is redirected rather than refused."""
	return not cmd and not path.startswith("/api/")


def allowed_during_password_change(path: str, cmd: str | None) -> bool:
	"""Whether a login that must change its password may make this request."""
	path = "/" + path.lstrip("/")
	normalised = path.rstrip("/") or "/"
	method = requested_method(path, cmd)
	if method is not None:
		return method in ALLOWED_METHODS
	if path.startswith("/api/"):
		return False
	return normalised in ALLOWED_PATHS or path.startswith(ALLOWED_PREFIXES)
