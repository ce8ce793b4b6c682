"""The address every mailed link starts with: configuration only, never the request's Host header."""

from urllib.parse import urlsplit

from portal_onboarding.core.messages import Reason, _


def normalise_base_url(value: str | None) -> str | None:
	"""`https://portal.example/` → `https://portal.example`; a bare host gets `http://` as Frappe's
	`get_url` gives it; empty → None. Call `check_base_url` first on what an admin typed."""
	text = (value or "").strip().rstrip("/")
	if not text:
		return None
	if not text.startswith(("http://", "https://")):
		text = "http://" + text
	return text


def check_base_url(value: str | None) -> Reason | None:
	"""Why `value` cannot start the portal's links, or None (empty is allowed: the site's host_name)."""
	text = (value or "").strip()
	if not text:
		return None
	parts = urlsplit(text)
	if (
		parts.scheme not in ("http", "https")
		or not parts.hostname
		or parts.query
		or parts.fragment
		or parts.username
		or parts.password
		or any(c.isspace() for c in text)
	):
		return Reason(
			"base_url",
			_(
				"Portal Address for Mailed Links must be a web address such as https://portal.clinic.example, "
				"without a query or fragment."
			),
		)
	return None


def mailed_link(base_url: str, path: str, token: str | None = None) -> str:
	"""`base_url` + `path`, the key in the fragment: browsers never send it, so it stays out of access
	logs, proxies and `Referer` headers."""
	link = base_url.rstrip("/") + "/" + path.lstrip("/")
	return f"{link}#key={token}" if token else link
