"""Rules of the activation page: the identity check, its attempt limit, and the login's email."""

from dataclasses import dataclass
from datetime import date

from portal_onboarding.core.eligibility import normalise_zip

MAX_IDENTITY_ATTEMPTS = 3
# RFC 2606 reserves .invalid: such an address can never receive mail or belong to someone else.
PLACEHOLDER_EMAIL_DOMAIN = "portal.invalid"


@dataclass(frozen=True)
class IdentityAnswer:
	"""What the person typed on the activation page."""

	date_of_birth: date | None
	home_zip: str | None


@dataclass(frozen=True)
class IdentityOnFile:
	"""What the clinic holds for the patient."""

	date_of_birth: date | None
	home_zip: str | None


@dataclass(frozen=True)
class IdentityVerdict:
	"""The outcome of one identity check; `revoke` when this was the last allowed wrong answer."""

	passed: bool
	attempts: int
	revoke: bool


def check_identity(answer: IdentityAnswer, on_file: IdentityOnFile, attempts_so_far: int) -> IdentityVerdict:
	"""Compare the answer with the file; missing data on either side never passes."""
	passed = (
		answer.date_of_birth is not None
		and on_file.date_of_birth is not None
		and answer.date_of_birth == on_file.date_of_birth
		and bool(normalise_zip(on_file.home_zip))
		and normalise_zip(answer.home_zip) == normalise_zip(on_file.home_zip)
	)
	if passed:
		return IdentityVerdict(passed=True, attempts=attempts_so_far, revoke=False)
	attempts = attempts_so_far + 1
	return IdentityVerdict(passed=False, attempts=attempts, revoke=attempts >= MAX_IDENTITY_ATTEMPTS)


def login_email(username: str) -> str:
	"""The email of the person's Frappe User: a placeholder that can never receive mail.

	Frappe keys a User by a unique email, yet family members share inboxes; and Marley's portal pages
	look a patient up by the login's email, which would show a sibling's record to whoever holds a
	shared address. So logins never carry a real address: they are found by username, and the
	portal reaches patients only through account grants.
	"""
	return f"{username}@{PLACEHOLDER_EMAIL_DOMAIN}"
