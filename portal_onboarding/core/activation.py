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


def is_placeholder_email(email: str | None) -> bool:
	"""True for the address of a login this app made (`username@portal.invalid`)."""
	return bool(email) and email.strip().lower().endswith("@" + PLACEHOLDER_EMAIL_DOMAIN)


@dataclass(frozen=True)
class LoginFacts:
	"""What decides whether an existing login may be handed to the holder of an invitation."""

	name: str
	email: str | None
	website_user: bool
	other_accounts: int  # accounts other than the invited one that already point at this login


def reusable_login(
	own: LoginFacts | None, marley: LoginFacts | None, invited_address: str | None
) -> str | None:
	"""The existing login the invitation's holder may take over, or None to make a new one.

	Only a login provably made for this same person qualifies: the one the app itself linked to this
	account (a placeholder-address login, or Marley's login already linked here), or the login
	Marley's "Invite as User" made for the patient when its address is the one the invitation went to.
	Either way no other account may use it: a login that also reaches other patients is never handed
	to whoever holds one patient's link (its owner adds the patient by signing in with it instead).
	A field anyone with Patient write access can set (`user_id`, the patient's email) is never enough
	on its own, and a Desk user's login is never taken.
	"""
	address = (invited_address or "").strip().lower()

	def addressed_here(login: LoginFacts) -> bool:
		email = (login.email or "").strip().lower()
		return bool(address) and email == address and not is_placeholder_email(email)

	def unshared(login: LoginFacts | None) -> bool:
		return bool(login) and login.website_user and login.other_accounts == 0

	if unshared(own) and (is_placeholder_email(own.email) or addressed_here(own)):
		return own.name
	if unshared(marley) and addressed_here(marley):
		return marley.name
	return None
