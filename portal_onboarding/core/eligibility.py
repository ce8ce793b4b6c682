"""Whether a patient may be given portal access, and if not, every reason why."""

import re
from dataclasses import dataclass, replace
from datetime import date

from portal_onboarding.core.messages import Reason, _

# Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is the mail server's job.
# The report filters with the same patterns in SQL (MariaDB REGEXP is PCRE), so both always agree.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
ZIP_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 \-]{1,9}$"
EMAIL_RE = re.compile(EMAIL_PATTERN)
ZIP_RE = re.compile(ZIP_PATTERN)


@dataclass(frozen=True)
class PatientFacts:
	"""What the clinic has on file for the patient."""

	email: str | None = None
	home_zip: str | None = None
	date_of_birth: date | None = None


@dataclass(frozen=True)
class EligibilityRules:
	"""The parts of Portal Onboarding Settings that decide eligibility."""

	require_email: bool = True
	require_home_zip: bool = True
	require_identity_check: bool = True


@dataclass(frozen=True)
class Eligibility:
	"""The verdict: eligible, or the list of reasons why not."""

	reasons: tuple[Reason, ...] = ()

	@property
	def eligible(self) -> bool:
		return not self.reasons


def is_valid_email(email: str) -> bool:
	"""True for a syntactically plausible email address."""
	return bool(EMAIL_RE.match(email.strip()))


def normalise_email(email: str | None) -> str | None:
	"""An email address as it is stored and compared: trimmed, lower case; None when empty."""
	return (email or "").strip().lower() or None


def email_changed(old: str | None, new: str | None) -> bool:
	"""True when the address really changes: case and surrounding spaces do not count."""
	return normalise_email(old) != normalise_email(new)


def normalise_zip(value: str | None) -> str:
	"""A ZIP code in the form used for comparison: upper case, without spaces or hyphens."""
	return re.sub(r"[\s\-]", "", value or "").upper()


# Said with a missing email when an invitation is refused: the way to a login without one.
IN_PERSON_HINT = Reason(
	"in_person_hint",
	_(
		"To give the patient a login without email, enable portal access and use Set credentials on "
		"their portal account."
	),
)


def in_person_rules(rules: EligibilityRules) -> EligibilityRules:
	"""The rules for credentials an admin gives in person: nothing is mailed, so no email is needed;
	the home ZIP code and identity rules stay as the settings say."""
	return replace(rules, require_email=False)


def check_eligibility(facts: PatientFacts, rules: EligibilityRules) -> Eligibility:
	"""Check a patient's details against the settings; every missing or bad item is a reason."""
	reasons: list[Reason] = []
	email = (facts.email or "").strip()
	home_zip = (facts.home_zip or "").strip()

	if not email:
		if rules.require_email:
			reasons.append(Reason("email_missing", _("The patient has no email address.")))
	elif not is_valid_email(email):
		reasons.append(Reason("email_invalid", _("The email address {0} is not valid."), (email,)))

	needs_zip = rules.require_home_zip or rules.require_identity_check
	if not home_zip:
		if needs_zip:
			reasons.append(
				Reason("zip_missing", _("The patient has no home ZIP code on their primary address."))
			)
	elif not ZIP_RE.match(home_zip):
		reasons.append(Reason("zip_invalid", _("The home ZIP code {0} is not valid."), (home_zip,)))

	if rules.require_identity_check and not facts.date_of_birth:
		reasons.append(
			Reason(
				"dob_missing",
				_("The patient has no date of birth, which the identity check at activation needs."),
			)
		)
	return Eligibility(tuple(reasons))


def check_invitation(facts: PatientFacts, rules: EligibilityRules) -> Eligibility:
	"""`check_eligibility` for a mailed invitation; a missing email also says how to do without one."""
	result = check_eligibility(facts, rules)
	if any(reason.code == "email_missing" for reason in result.reasons):
		return Eligibility((*result.reasons, IN_PERSON_HINT))
	return result
