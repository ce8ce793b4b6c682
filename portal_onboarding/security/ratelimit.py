"""Rate limits for the guest endpoints: one budget per client address and one per link.

Frappe's `rate_limit` keys its counter on the request's `cmd`, which `/api/v2/method/...` does not
set, so the two API paths would count separately; and with a key it counts address and key together.
Here each endpoint has a fixed name, and the address and the link are counted apart: people on one
clinic Wi-Fi share a generous address budget, while one link gets a small budget wherever it is
tried from. Links are counted by their hash, so no token is ever written to Redis.
"""

import frappe
from frappe import _

from portal_onboarding.core.tokens import hash_token

WINDOW_SECONDS = 60 * 60


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


def limit_guest(endpoint: str, link: str | None, per_address: int, per_link: int) -> None:
	"""Apply the address budget and the link budget of `endpoint` to this request (not to Python calls)."""
	if not frappe.request:
		return
	count(f"{endpoint}:ip:{getattr(frappe.local, 'request_ip', None) or 'unknown'}", per_address)
	count(f"{endpoint}:link:{hash_token(link or '')}", per_link)
