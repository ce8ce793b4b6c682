"""Proxies an adult patient chooses: the code the patient passes on to the person they invite, what the
patient's choices must be, and who may give a proxy more time.

The mailed link alone does not open a proxy's invitation: its holder also types the code the patient
gave them, which travels another way (said aloud, a message of the patient's own). Eight characters
from an alphabet without look-alikes (no 0/O, no 1/I/L) make about 40 bits; the third wrong answer
revokes the link, as the identity check does. Moving a proxy's end date later (a renewal) is the
patient's decision alone: anyone who may edit the account may shorten it.
"""

import hmac
import secrets
from dataclasses import dataclass
from datetime import date

from portal_onboarding.constants import AccountStatus
from portal_onboarding.core.activation import MAX_IDENTITY_ATTEMPTS, IdentityVerdict
from portal_onboarding.core.age_policy import proxy_end_problem
from portal_onboarding.core.messages import Reason, _
from portal_onboarding.core.validation import check_sections

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8

S = AccountStatus
# The proxy accounts a patient may still change or stop on the portal (a stopped one is the clinic's).
MANAGEABLE = (S.ENABLED, S.INVITED, S.ACTIVE, S.INVITE_EXPIRED, S.INVITE_FAILED)
# A proxy account the patient may invite (again): one that has no login working yet.
INVITABLE = (S.NOT_ENABLED, S.ENABLED, S.INVITED, S.INVITE_EXPIRED, S.INVITE_FAILED)

# How the People page names an account's state, in the patient's words.
PERSON_STATUS: dict[str, str] = {
	S.NOT_ENABLED: _("No access"),
	S.ENABLED: _("Not invited yet"),
	S.INVITED: _("Invitation sent"),
	S.ACTIVE: _("Can see your record"),
	S.SUSPENDED: _("Access stopped"),
	S.PENDING_DELETE: _("Access stopped"),
	S.INVITE_EXPIRED: _("Invitation expired"),
	S.INVITE_FAILED: _("Invitation not delivered"),
}
ACCESS_ENDED = _("Access ended")


def new_proxy_code() -> str:
	"""A fresh code from the operating system's secure random source."""
	return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def format_code(code: str) -> str:
	"""K7QM3TXP → K7QM-3TXP: two halves are easier to read out and to type."""
	code = normalise_code(code)
	half = len(code) // 2
	return f"{code[:half]}-{code[half:]}" if code else ""


def normalise_code(text: str | None) -> str:
	"""What the person typed, without case, spaces or hyphens."""
	return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def check_code(answer: str | None, on_file: str | None, attempts_so_far: int) -> IdentityVerdict:
	"""Compare the typed code with the stored one in constant time; no code on file never passes."""
	expected = normalise_code(on_file).encode()
	passed = bool(expected) and hmac.compare_digest(normalise_code(answer).encode(), expected)
	if passed:
		return IdentityVerdict(passed=True, attempts=attempts_so_far, revoke=False)
	attempts = attempts_so_far + 1
	return IdentityVerdict(passed=False, attempts=attempts, revoke=attempts >= MAX_IDENTITY_ATTEMPTS)


@dataclass(frozen=True)
class ProxyChoice:
	"""What the patient gives a proxy: the portal sections and the day access ends."""

	sections: tuple[str, ...]
	end: date | None


def choice_problems(choice: ProxyChoice, day: date, max_months: int, check_end: bool = True) -> list[Reason]:
	"""Why the patient's choice cannot be saved: at least one known section, an end date in the future
	and within the clinic's maximum (`check_end` False: the date is the one already stored)."""
	reasons = []
	if not choice.sections:
		reasons.append(Reason("sections_missing", _("Please choose at least one part of your record.")))
	else:
		reason = check_sections(list(choice.sections))
		if reason:
			reasons.append(reason)
	end = proxy_end_problem(choice.end, day, max_months) if check_end else None
	if end:
		reasons.append(end)
	return reasons


def is_renewal(before: date | None, after: date | None) -> bool:
	"""Whether a change of end date gives more time: a later date, or none where one was set."""
	if before is None:
		return False
	return after is None or after > before


def end_change_problem(
	before: date | None, after: date | None, by_patient: bool, day: date, max_months: int
) -> Reason | None:
	"""Why a proxy account's changed end date cannot be saved: more time only from the patient, and
	always an end date within the clinic's maximum."""
	if is_renewal(before, after) and not by_patient:
		return Reason(
			"proxy_renewal",
			_(
				"Access Valid Until: only the patient can give a proxy more time, from the portal. You can "
				"set an earlier date, or suspend the account."
			),
		)
	return proxy_end_problem(after, day, max_months)


def person_status(status: str, ended: bool) -> str:
	"""The People page's word for an account: its status, or that its access has ended (by its end
	date, or by the patient's age for a parent)."""
	if ended and status not in (S.SUSPENDED, S.PENDING_DELETE, S.NOT_ENABLED):
		return ACCESS_ENDED
	return PERSON_STATUS.get(status, status)
