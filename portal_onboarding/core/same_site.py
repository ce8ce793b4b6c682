"""Whether a guest's POST comes from the portal's own pages (login CSRF defence).

Frappe checks no CSRF token for guests, so a page on another site could post a key and a password it
holds and sign a visitor's browser into the attacker's portal login. Browsers name the page a POST
comes from in `Origin` (and `Referer`); a cross-site POST always carries one of them, so only a
request that names another site, or an opaque origin (`null`: a sandboxed frame, a data: URL), is
refused. A request naming neither comes from no browser page, and cannot carry a visitor's cookies
into a sign-in they did not ask for.
"""

from urllib.parse import urlsplit


def host_of(url: str | None) -> str | None:
	"""`https://Clinic.example:8443/x` → `clinic.example:8443`; None when there is no host."""
	try:
		parts = urlsplit((url or "").strip())
	except ValueError:
		return None
	return parts.netloc.lower() or None


def from_own_pages(origin: str | None, referer: str | None, own_hosts: set[str]) -> bool:
	"""True unless the request names a page of another site (or an opaque one) as its source."""
	hosts = {h.lower() for h in own_hosts if h}
	if origin:
		return origin.strip() != "null" and host_of(origin) in hosts
	if referer:
		return host_of(referer) in hosts
	return True
