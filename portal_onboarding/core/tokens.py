"""Invitation tokens: random, stored only as a hash, compared in constant time, with an expiry."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

TOKEN_BYTES = 32  # 256 bits; the baseline asks for at least 128


@dataclass(frozen=True)
class IssuedToken:
	"""A fresh token: `token` goes only into the message sent, `token_hash` only into the database."""

	token: str
	token_hash: str
	expires_on: datetime


def generate_token() -> str:
	"""A URL-safe random token of TOKEN_BYTES bytes."""
	return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
	"""The SHA-256 hex digest stored in place of the token."""
	return hashlib.sha256(token.encode()).hexdigest()


def verify_token(token: str | None, token_hash: str | None) -> bool:
	"""True when `token` hashes to `token_hash`; constant time, and False for any missing part."""
	if not token or not token_hash:
		return False
	return hmac.compare_digest(hash_token(token), token_hash)


def expiry(issued_on: datetime, lifetime_hours: int) -> datetime:
	"""When a token issued at `issued_on` stops working."""
	return issued_on + timedelta(hours=lifetime_hours)


def is_expired(expires_on: datetime | None, now: datetime) -> bool:
	"""True at and after the expiry instant; a token without an expiry never works."""
	return expires_on is None or now >= expires_on


def issue_token(now: datetime, lifetime_hours: int) -> IssuedToken:
	"""A new token with its hash and expiry, the clock passed in."""
	token = generate_token()
	return IssuedToken(token=token, token_hash=hash_token(token), expires_on=expiry(now, lifetime_hours))


def looks_like_hash(value: str | None) -> bool:
	"""True for a SHA-256 hex digest: a guard against ever storing a raw token."""
	return bool(value) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
