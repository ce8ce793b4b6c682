import hashlib
import string
from datetime import datetime, timedelta

import pytest

from portal_onboarding.core import tokens
from portal_onboarding.core.passwords import (
	MIN_LENGTH,
	SYMBOLS,
	generate_temporary_password,
	has_all_classes,
)

NOW = datetime(2026, 11, 21, 9, 0, 0)


def test_tokens_are_long_random_and_url_safe():
	seen = {tokens.generate_token() for _ in range(200)}
	assert len(seen) == 200
	for token in seen:
		assert len(token) >= 43  # 32 bytes, base64url
		assert set(token) <= set(string.ascii_letters + string.digits + "-_")


def test_only_the_hash_is_kept_and_it_verifies():
	issued = tokens.issue_token(NOW, 72)
	assert issued.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
	assert issued.token not in issued.token_hash
	assert tokens.verify_token(issued.token, issued.token_hash)
	assert issued.expires_on == NOW + timedelta(hours=72)


@pytest.mark.parametrize("token", [None, "", "garbage", "x" * 43])
def test_wrong_or_missing_tokens_fail(token):
	issued = tokens.issue_token(NOW, 1)
	assert not tokens.verify_token(token, issued.token_hash)


def test_missing_hash_fails():
	assert not tokens.verify_token(tokens.generate_token(), None)
	assert not tokens.verify_token(tokens.generate_token(), "")


def test_verify_uses_constant_time_compare(monkeypatch):
	calls = []
	real = tokens.hmac.compare_digest

	def spy(a, b):
		calls.append((a, b))
		return real(a, b)

	monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
	issued = tokens.issue_token(NOW, 1)
	assert tokens.verify_token(issued.token, issued.token_hash)
	assert calls == [(issued.token_hash, issued.token_hash)]


def test_expiry_with_an_injected_clock():
	expires_on = tokens.expiry(NOW, 72)
	assert not tokens.is_expired(expires_on, NOW)
	assert not tokens.is_expired(expires_on, expires_on - timedelta(seconds=1))
	assert tokens.is_expired(expires_on, expires_on)
	assert tokens.is_expired(expires_on, NOW + timedelta(days=4))
	assert tokens.is_expired(None, NOW)


def test_temporary_passwords_are_strong_and_distinct():
	passwords = {generate_temporary_password() for _ in range(100)}
	assert len(passwords) == 100
	for password in passwords:
		assert len(password) == 16
		assert has_all_classes(password)
		assert not set(password) & set("0O1lI")


def test_temporary_password_length_is_bounded():
	assert len(generate_temporary_password(MIN_LENGTH)) == MIN_LENGTH
	with pytest.raises(ValueError):
		generate_temporary_password(MIN_LENGTH - 1)


def test_has_all_classes_spots_each_missing_class():
	assert has_all_classes("aB3" + SYMBOLS[0])
	assert not has_all_classes("AB3!")
	assert not has_all_classes("ab3!")
	assert not has_all_classes("aBc!")
	assert not has_all_classes("aB3c")


def test_looks_like_hash_accepts_only_sha256_hex():
	issued = tokens.issue_token(NOW, 1)
	assert tokens.looks_like_hash(issued.token_hash)
	assert not tokens.looks_like_hash(issued.token)
	assert not tokens.looks_like_hash(None)
	assert not tokens.looks_like_hash(issued.token_hash.upper())
