"""Portal usernames: what is valid, and a unique suggestion when several patients share an email."""

import re
import unicodedata
from collections.abc import Collection

from portal_onboarding.core.messages import Reason, _

MIN_LENGTH = 3
MAX_LENGTH = 32
# No "@": a username must never look like somebody's email address, which Frappe also accepts at login.
USERNAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")
DISALLOWED_CHARS_RE = re.compile(r"[^a-z0-9._-]+")
RESERVED = frozenset({"administrator", "guest", "admin", "root", "system", "support"})


def normalise_username(username: str) -> str:
	"""Usernames are compared and stored in lower case without surrounding spaces."""
	return username.strip().lower()


def check_username(username: str) -> Reason | None:
	"""None for a valid username, else the reason it is not valid."""
	name = normalise_username(username)
	if not name:
		return Reason("username_missing", _("Username is required."))
	if len(name) < MIN_LENGTH or len(name) > MAX_LENGTH:
		return Reason(
			"username_length",
			_("Username must be between {0} and {1} characters long."),
			(str(MIN_LENGTH), str(MAX_LENGTH)),
		)
	if not USERNAME_RE.match(name) or ".." in name:
		return Reason(
			"username_characters",
			_(
				"Username {0} may only contain letters, digits, dots, hyphens and underscores, "
				"and must start and end with a letter or digit."
			),
			(username.strip(),),
		)
	if name in RESERVED:
		return Reason("username_reserved", _("Username {0} is reserved."), (name,))
	return None


def _slug(text: str) -> str:
	ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
	slug = DISALLOWED_CHARS_RE.sub(".", ascii_text.lower())
	slug = re.sub(r"\.{2,}", ".", slug).strip("._-")
	return slug[:MAX_LENGTH].rstrip("._-")


def base_username(first_name: str | None, last_name: str | None, email: str | None) -> str:
	"""The natural username for a person: first.last, else the email's local part, else 'patient'."""
	candidates = [
		_slug(".".join(part for part in (first_name, last_name) if part)),
		_slug((email or "").split("@")[0]),
	]
	for candidate in candidates:
		if candidate and check_username(candidate) is None:
			return candidate
	return "patient"


def suggest_username(
	first_name: str | None,
	last_name: str | None,
	email: str | None,
	taken: Collection[str],
) -> str:
	"""A valid username not in `taken` (compared case-insensitively): the base name, then base2, base3, ..."""
	taken_lower = {normalise_username(name) for name in taken}
	base = base_username(first_name, last_name, email)
	if base not in taken_lower:
		return base
	counter = 2
	while True:
		suffix = str(counter)
		candidate = base[: MAX_LENGTH - len(suffix)].rstrip("._-") + suffix
		if candidate not in taken_lower:
			return candidate
		counter += 1
