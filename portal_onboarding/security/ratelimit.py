"""Rate limits for the guest endpoints: one budget per client address and one per link.

Frappe's `rate_limit` keys its counter on the request's `cmd`, which `/api/v2/method/...` does not
set, so the two API paths would count separately; and with a key it counts address and key together.
Here each endpoint has a fixed name, and the address and the link are counted apart: people on one
clinic Wi-Fi share a generous address budget, while one link gets a small budget wherever it is
tried from. Links are counted by their hash, so no token is ever written to Redis. The address is the
one security/client.py trusts (never a forwarded header a client wrote), and an IPv6 client counts
as its whole /64.
"""

import frappe
from frappe import _

from portal_onboarding.core.client_address import rate_limit_bucket
from portal_onboarding.core.tokens import hash_token
from portal_onboarding.security.client import client_address
from portal_onboarding.security.same_site import refuse_cross_site

WINDOW_SECONDS = 60 * 60
DAY_SECONDS = 24 * 60 * 60


def within(bucket: str, limit: int, seconds: int = WINDOW_SECONDS) -> bool:
	"""Count one hit in `bucket`; False once it is past `limit` in the window."""
	key = frappe.cache.make_key(f"portal_onboarding:rl:{bucket}")
	pipe = frappe.cache.pipeline()
	pipe.incr(key)
	pipe.ttl(key)
	hits, ttl = pipe.execute()
	if ttl < 0:
		# A new window (or a counter that somehow lost its expiry): it must never block for good.
		frappe.cache.expire(key, seconds)
	return hits <= limit


def count(bucket: str, limit: int, seconds: int = WINDOW_SECONDS) -> None:
	"""Count one request in `bucket`; refuse with HTTP 429 past `limit` in the window."""
	if not within(bucket, limit, seconds):
		frappe.throw(
			_("Too many attempts. Please wait a while and try again."),
			frappe.RateLimitExceededError,
			title=_("Please wait"),
		)


def limit_client(endpoint: str, limit: int, seconds: int = WINDOW_SECONDS) -> None:
	"""Apply a budget per client address of `endpoint` to this request (not to Python calls)."""
	if not frappe.request:
		return
	address = client_address()
	count(f"{endpoint}:ip:{rate_limit_bucket(address) if address else 'unknown'}", limit, seconds)


def limit_guest(endpoint: str, link: str | None, per_address: int, per_link: int) -> None:
	"""Refuse another site's POST, then apply the address budget and the link budget of `endpoint`
	to this request (not to Python calls). Every guest endpoint of the app starts here."""
	if not frappe.request:
		return
	refuse_cross_site()
	limit_client(endpoint, per_address)
	count(f"{endpoint}:link:{hash_token(link or '')}", per_link)
