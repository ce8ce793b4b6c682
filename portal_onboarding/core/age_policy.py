"""Representatives through a child's life: what a parent's or guardian's account opens at each age.

A representative account keeps the sections an admin gave it while the patient is a child; from the
partial-access age it keeps only the sections the clinic's policy lists (and, when the clinic asks
for it, nothing until the teen's assent is recorded); at the age of majority it ends, unless a legal
guardianship of the adult is on file. A proxy an adult patient chose is the patient's own decision
and ends only on its end date. The rules only ever narrow what the account's table permits: no age,
and no missing date of birth, ever widens it. The clock is a parameter.
"""

from dataclasses import dataclass
from datetime import date

from portal_onboarding.constants import AccountStatus
from portal_onboarding.core.messages import Reason, _

S = AccountStatus
# Representative accounts that reach the patient, or are on their way to: the ones the policy may narrow
# or end (the daily job, and the report's count of those it will end).
CANDIDATE_STATUSES = (S.ENABLED, S.INVITED, S.ACTIVE, S.INVITE_EXPIRED, S.INVITE_FAILED)

DEFAULT_PARTIAL_AGE = 12
DEFAULT_MAJORITY_AGE = 18
DEFAULT_PARTIAL_SECTIONS = ("Appointments",)
DEFAULT_PROXY_MONTHS = 18
# The report's look-ahead: patients whose representatives' access ends soon.
TURNING_ADULT_DAYS = 30


class Stage:
	CHILD = "Child"
	PARTIAL = "Partial"
	ADULT = "Adult"
	UNKNOWN = "Unknown"  # no date of birth on file


@dataclass(frozen=True)
class AgePolicy:
	partial_age: int = DEFAULT_PARTIAL_AGE
	partial_sections: frozenset[str] = frozenset(DEFAULT_PARTIAL_SECTIONS)
	majority_age: int = DEFAULT_MAJORITY_AGE
	assent_required: bool = False


@dataclass(frozen=True)
class Representation:
	"""What decides a representative account's access, read from the account and its Patient."""

	sections: frozenset[str]
	date_of_birth: date | None
	adult_proxy: bool = False
	guardian_of_adult: bool = False
	guardianship_until: date | None = None
	assent_recorded: bool = False


@dataclass(frozen=True)
class Access:
	"""What the account opens today.

	`ended`: the account no longer reaches the patient at all (majority without a guardianship).
	`awaiting_assent`: the patient is in the partial years and the clinic waits for their assent, so
	the account opens nothing but the portal's home page.
	"""

	sections: frozenset[str]
	stage: str
	ended: bool = False
	awaiting_assent: bool = False


def policy_problem(policy: AgePolicy, known_sections: frozenset[str] | set[str]) -> Reason | None:
	"""Why these settings cannot be saved, or None."""
	if not 1 <= policy.partial_age < policy.majority_age:
		return Reason(
			"ages",
			_("The partial-access age must be at least 1 and below the age of majority ({0})."),
			(str(policy.majority_age),),
		)
	if policy.majority_age > 25:
		return Reason("majority", _("The age of majority must be 25 or lower."))
	unknown = sorted(set(policy.partial_sections) - set(known_sections))
	if unknown:
		return Reason("sections", _("Unknown portal sections: {0}"), (", ".join(unknown),))
	return None


def age_on(date_of_birth: date, day: date) -> int:
	"""Whole years lived on `day`; someone born on 29 February is a year older on 1 March."""
	years = day.year - date_of_birth.year
	if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
		years -= 1
	return years


def add_years(day: date, years: int) -> date:
	"""The same day `years` later; 29 February moves to 1 March in a common year."""
	try:
		return day.replace(year=day.year + years)
	except ValueError:
		return date(day.year + years, 3, 1)


def add_months(day: date, months: int) -> date:
	"""The same day `months` later, or the month's last day when it is shorter."""
	month_index = day.month - 1 + months
	year, month = day.year + month_index // 12, month_index % 12 + 1
	for last in (31, 30, 29, 28):
		try:
			return date(year, month, min(day.day, last))
		except ValueError:
			continue
	raise ValueError(day)  # pragma: no cover - every month has a 28th


def stage_on(date_of_birth: date | None, day: date, policy: AgePolicy) -> str:
	if date_of_birth is None or date_of_birth > day:
		return Stage.UNKNOWN
	age = age_on(date_of_birth, day)
	if age >= policy.majority_age:
		return Stage.ADULT
	if age >= policy.partial_age:
		return Stage.PARTIAL
	return Stage.CHILD


def majority_date(date_of_birth: date | None, policy: AgePolicy) -> date | None:
	return add_years(date_of_birth, policy.majority_age) if date_of_birth else None


def turns_adult_within(date_of_birth: date | None, day: date, policy: AgePolicy, days: int) -> bool:
	"""True when the patient reaches majority after `day` and at most `days` days later."""
	adult_on = majority_date(date_of_birth, policy)
	return adult_on is not None and 0 < (adult_on - day).days <= days


def guardianship_valid(rep: Representation, day: date) -> bool:
	return rep.guardian_of_adult and (rep.guardianship_until is None or rep.guardianship_until >= day)


def representative_access(rep: Representation, day: date, policy: AgePolicy) -> Access:
	"""The sections a representative account opens on `day` (always a subset of its own table)."""
	stage = stage_on(rep.date_of_birth, day, policy)
	if rep.adult_proxy:
		# The patient chose this person as an adult; the account's end date closes it.
		return Access(rep.sections, stage)
	if stage in (Stage.ADULT, Stage.UNKNOWN) and guardianship_valid(rep, day):
		return Access(rep.sections, stage)
	if stage == Stage.CHILD:
		return Access(rep.sections, stage)
	if stage == Stage.ADULT:
		return Access(frozenset(), stage, ended=True)
	if stage == Stage.PARTIAL and policy.assent_required and not rep.assent_recorded:
		return Access(frozenset(), stage, awaiting_assent=True)
	# The partial years, and a patient whose date of birth is missing: the partial sections at most.
	return Access(rep.sections & policy.partial_sections, stage)


@dataclass(frozen=True)
class Change:
	"""What the daily job does to one account: nothing, shrink its table, or end its access."""

	kind: str  # "none" | "shrink" | "end"
	sections: frozenset[str]
	stage: str

	NONE = "none"
	SHRINK = "shrink"
	END = "end"


def daily_change(rep: Representation, day: date, policy: AgePolicy) -> Change:
	"""The change that makes the stored account match the policy on `day`; never a widening."""
	access = representative_access(rep, day, policy)
	if access.ended:
		return Change(Change.END, frozenset(), access.stage)
	# Waiting for assent stores the partial sections: the assent then opens exactly those.
	kept = rep.sections & policy.partial_sections if access.awaiting_assent else access.sections
	if kept != rep.sections:
		return Change(Change.SHRINK, kept, access.stage)
	return Change(Change.NONE, rep.sections, access.stage)


def proxy_end_problem(end: date | None, day: date, max_months: int) -> Reason | None:
	"""Why a proxy's end date cannot be used, or None: it must be set, in the future and within the
	clinic's maximum."""
	if end is None:
		return Reason("proxy_end_missing", _("Please choose when this person's access ends."))
	if end <= day:
		return Reason("proxy_end_past", _("The end date must be in the future."))
	latest = add_months(day, max_months)
	if end > latest:
		return Reason(
			"proxy_end_too_late",
			_("Access can last at most {0} months: choose a date on or before {1}."),
			(str(max_months), latest.isoformat()),
		)
	return None


def default_proxy_end(day: date, max_months: int) -> date:
	return add_months(day, min(DEFAULT_PROXY_MONTHS, max_months))
