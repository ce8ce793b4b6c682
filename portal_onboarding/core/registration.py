"""Rules of the portal's own sign-up: what the form accepts, which patient a verified request may
open, and what a manager may still do with a request."""

import re
from dataclasses import dataclass
from datetime import date

from portal_onboarding.constants import AccessType, AccountStatus, RegistrationStatus
from portal_onboarding.core.eligibility import ZIP_RE, is_valid_email, normalise_email, normalise_zip
from portal_onboarding.core.messages import Reason, _

MAX_NAME_LENGTH = 140
MAX_EMAIL_LENGTH = 140
MAX_AGE_YEARS = 130
MAX_REJECTION_REASON = 500
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class WaitReason:
	"""Why a verified request waits for staff instead of opening the portal at once."""

	NO_MATCH = "No patient matched"
	SEVERAL_MATCHES = "Several patients matched"
	AUTO_ENABLE_OFF = "Automatic enabling is off"
	NOT_AVAILABLE = "The matched patient cannot be enabled automatically"

	ALL = (NO_MATCH, SEVERAL_MATCHES, AUTO_ENABLE_OFF, NOT_AVAILABLE)


@dataclass(frozen=True)
class SignUpForm:
	"""What the person typed on the sign-up page, as typed."""

	first_name: str | None
	last_name: str | None
	date_of_birth: str | None
	home_zip: str | None
	email: str | None


@dataclass(frozen=True)
class SignUpDetails:
	"""A sign-up that passed every check, cleaned: names and ZIP trimmed, email normalised."""

	first_name: str
	last_name: str
	date_of_birth: date
	home_zip: str
	email: str


def parse_date(value: str | None) -> date | None:
	"""An ISO date (YYYY-MM-DD), else None."""
	text = (value or "").strip()
	if not _DATE.match(text):
		return None
	try:
		return date.fromisoformat(text)
	except ValueError:
		return None


def is_valid_zip(value: str | None) -> bool:
	"""A postal code as clinics keep them (letters allowed, as in UK and Canadian codes), with a digit."""
	text = (value or "").strip()
	return bool(ZIP_RE.match(text)) and any(c.isdigit() for c in text)


def check_sign_up(form: SignUpForm, today: date) -> tuple[SignUpDetails | None, list[Reason]]:
	"""The cleaned details, or every problem with the form (none of which depends on who exists)."""
	reasons: list[Reason] = []
	first_name = (form.first_name or "").strip()
	last_name = (form.last_name or "").strip()
	email = normalise_email(form.email) or ""
	if not first_name:
		reasons.append(Reason("first_name_missing", _("Please enter your first name.")))
	if not last_name:
		reasons.append(Reason("last_name_missing", _("Please enter your last name.")))
	if len(first_name) > MAX_NAME_LENGTH or len(last_name) > MAX_NAME_LENGTH:
		reasons.append(
			Reason("name_length", _("Names can be at most {0} characters long."), (str(MAX_NAME_LENGTH),))
		)
	dob = parse_date(form.date_of_birth)
	if dob is None:
		reasons.append(Reason("dob_invalid", _("Please enter your date of birth.")))
	elif dob > today:
		reasons.append(Reason("dob_future", _("The date of birth cannot be in the future.")))
	elif dob.year < today.year - MAX_AGE_YEARS:
		reasons.append(Reason("dob_too_old", _("Please check the year of your date of birth.")))
	home_zip = (form.home_zip or "").strip()
	if not is_valid_zip(home_zip):
		reasons.append(
			Reason("zip_invalid", _("Please enter the ZIP code of your home address (it has digits)."))
		)
	if not email or len(email) > MAX_EMAIL_LENGTH or not is_valid_email(email):
		reasons.append(Reason("email_invalid", _("Please enter a valid email address.")))
	if reasons:
		return None, reasons
	assert dob is not None
	return SignUpDetails(first_name, last_name, dob, home_zip.upper(), email), []


@dataclass(frozen=True)
class Candidate:
	"""A Patient whose date of birth matches a verified sign-up, and what the clinic holds for it."""

	patient: str
	email: str | None
	home_zip: str | None
	date_of_birth: date | None
	# The patient can be enabled and invited (eligible, not disabled, no Self account past Invited).
	available: bool = True


@dataclass(frozen=True)
class PortalHistory:
	"""What the clinic has decided about a patient's portal access so far."""

	patient_active: bool
	eligible: bool
	# The latest enable-or-disable on the patient's portal access was an admin's disable.
	disabled_by_admin: bool
	# A login Marley made (Invite as User) that is not one of the app's accounts.
	marley_login: bool
	# (access type, status, holds a login) of every portal account on the patient.
	accounts: tuple[tuple[str, str, bool], ...] = ()


# A Self account in these states is still waiting for its first login: a sign-up may take it on.
OPENABLE_SELF_STATUSES = (
	AccountStatus.NOT_ENABLED,
	AccountStatus.ENABLED,
	AccountStatus.INVITED,
	AccountStatus.INVITE_EXPIRED,
)


def undecided(history: PortalHistory) -> bool:
	"""Whether a verified sign-up may open this patient's portal without staff.

	Only a patient nobody has decided against: active and eligible, portal access not taken away by
	an admin, no login of any kind yet, and no account but a Self one still waiting for its first
	login. A suspended, pending-delete or failed account, a representative, or a login that exists
	(even disabled) are the clinic's decisions: the sign-up goes to staff review.
	"""
	if not history.patient_active or not history.eligible:
		return False
	if history.disabled_by_admin or history.marley_login:
		return False
	return all(
		access_type == AccessType.SELF and not has_login and status in OPENABLE_SELF_STATUSES
		for access_type, status, has_login in history.accounts
	)


def matches(details: SignUpDetails, candidate: Candidate) -> bool:
	"""Email, date of birth and home ZIP all equal, compared as stored (case and spaces ignored)."""
	return (
		candidate.date_of_birth == details.date_of_birth
		and normalise_email(candidate.email) == details.email
		and bool(candidate.home_zip)
		and normalise_zip(candidate.home_zip) == normalise_zip(details.home_zip)
	)


@dataclass(frozen=True)
class Decision:
	"""The patient a verified sign-up opens at once, or why it waits for staff."""

	patient: str | None
	wait_reason: str | None


def decide(details: SignUpDetails, candidates: list[Candidate], auto_enable: bool) -> Decision:
	"""Exactly one matching, available patient and the setting on: that patient. Anything else waits."""
	matched = [c for c in candidates if matches(details, c)]
	if not matched:
		return Decision(None, WaitReason.NO_MATCH)
	if len(matched) > 1:
		return Decision(None, WaitReason.SEVERAL_MATCHES)
	if not auto_enable:
		return Decision(None, WaitReason.AUTO_ENABLE_OFF)
	if not matched[0].available:
		return Decision(None, WaitReason.NOT_AVAILABLE)
	return Decision(matched[0].patient, None)


def check_review(status: str, patient: str | None, approve: bool, reason: str | None = None) -> Reason | None:
	"""Why a manager may not approve (or reject) a request in `status`, or None."""
	if status == RegistrationStatus.APPROVED:
		return Reason("already_approved", _("This sign-up request has already been approved."))
	if status == RegistrationStatus.REJECTED:
		return Reason("already_rejected", _("This sign-up request has already been rejected."))
	if status != RegistrationStatus.AWAITING_REVIEW:
		return Reason(
			"not_verified",
			_("This sign-up request cannot be reviewed: its email address was never confirmed."),
		)
	if approve and not patient:
		return Reason(
			"patient_missing", _("Link the request to a Patient (or create one) before approving it.")
		)
	if not approve:
		text = (reason or "").strip()
		if not text:
			return Reason("reason_missing", _("Please give a reason: it is sent to the person."))
		if len(text) > MAX_REJECTION_REASON:
			return Reason(
				"reason_length",
				_("The reason can be at most {0} characters long."),
				(str(MAX_REJECTION_REASON),),
			)
	return None
