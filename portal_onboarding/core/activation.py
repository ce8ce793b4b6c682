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


def login_email(contact_email: str | None, username: str, own_email_is_safe: bool) -> str:
	"""The email of the Frappe User: the person's own when safe, else a placeholder.

	Frappe keys a User by a unique email, yet family members may share one inbox; each still gets a
	login of their own, found by username. The own email is safe only when no other User has it and
	it belongs to this patient alone, because Marley's portal pages look patients up by it.
	"""
	if contact_email and own_email_is_safe:
		return contact_email.strip().lower()
	return f"{username}@{PLACEHOLDER_EMAIL_DOMAIN}"
