"""The onboarding report's rules: which filters make sense, why a row is not eligible, what the cards say.

Pure Python: the report and the API read filters through `parse_filters` and build cards with
`status_cards` / `funnel_cards`, so every screen agrees on the numbers.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from portal_onboarding.constants import AccountStatus
from portal_onboarding.core.age_policy import TURNING_ADULT_DAYS, AgePolicy, add_years, turns_adult_within
from portal_onboarding.core.eligibility import EligibilityRules, PatientFacts, check_eligibility
from portal_onboarding.core.messages import Reason, _
from portal_onboarding.core.status import STATUS_COLOURS

MAX_SEARCH_LENGTH = 140
PAGE_LENGTHS = (100, 500, 1000)
DEFAULT_PAGE_LENGTH = PAGE_LENGTHS[0]
MAX_PAGE = 100_000


@dataclass(frozen=True)
class ReportFilters:
	"""Validated report filters; `page` counts from 1."""

	status: str | None = None
	eligible_only: bool = False
	search: str | None = None
	invited_from: date | None = None
	invited_to: date | None = None
	turning_adult: bool = False
	page: int = 1
	page_length: int = DEFAULT_PAGE_LENGTH

	@property
	def offset(self) -> int:
		return (self.page - 1) * self.page_length


def _text(value: object) -> str:
	return "" if value is None else str(value).strip()


def _flag(value: object) -> bool:
	return _text(value).lower() in ("1", "true", "yes", "on")


def _date(value: object, label: str, reasons: list[Reason]) -> date | None:
	text = _text(value)
	if not text:
		return None
	try:
		return date.fromisoformat(text[:10])
	except ValueError:
		reasons.append(Reason("bad_date", _("{0} is not a date: {1}."), (label, text[:40])))
		return None


def _int(value: object, default: int) -> int | None:
	text = _text(value)
	if not text:
		return default
	try:
		return int(text)
	except ValueError:
		return None


def parse_filters(raw: Mapping[str, object] | None) -> tuple[ReportFilters, tuple[Reason, ...]]:
	"""The report's filters from what the browser sent, and every reason they make no sense."""
	raw = raw or {}
	reasons: list[Reason] = []

	status = _text(raw.get("status")) or None
	if status and status not in AccountStatus.ALL:
		reasons.append(Reason("unknown_status", _("{0} is not a portal status."), (status[:40],)))

	search = _text(raw.get("search")) or None
	if search and len(search) > MAX_SEARCH_LENGTH:
		reasons.append(
			Reason(
				"search_too_long",
				_("Search for at most {0} characters: a name, an email address or a mobile number."),
				(str(MAX_SEARCH_LENGTH),),
			)
		)

	invited_from = _date(raw.get("invited_from"), _("Invited From"), reasons)
	invited_to = _date(raw.get("invited_to"), _("Invited To"), reasons)
	if invited_from and invited_to and invited_from > invited_to:
		reasons.append(
			Reason(
				"dates_reversed",
				_("Invited From ({0}) is after Invited To ({1})."),
				(str(invited_from), str(invited_to)),
			)
		)

	page = _int(raw.get("page"), 1)
	if page is None or not 1 <= page <= MAX_PAGE:
		reasons.append(Reason("bad_page", _("Page must be a whole number from 1 to {0}."), (str(MAX_PAGE),)))
		page = 1
	page_length = _int(raw.get("page_length"), DEFAULT_PAGE_LENGTH)
	if page_length not in PAGE_LENGTHS:
		reasons.append(
			Reason(
				"bad_page_length",
				_("Rows per page must be one of {0}."),
				(", ".join(str(n) for n in PAGE_LENGTHS),),
			)
		)
		page_length = DEFAULT_PAGE_LENGTH

	filters = ReportFilters(
		status=status if status in AccountStatus.ALL else None,
		eligible_only=_flag(raw.get("eligible_only")),
		search=search,
		invited_from=invited_from,
		invited_to=invited_to,
		turning_adult=_flag(raw.get("turning_adult")),
		page=page,
		page_length=page_length,
	)
	return filters, tuple(reasons)


def row_reasons(facts: PatientFacts, rules: EligibilityRules, status: str) -> tuple[Reason, ...]:
	"""What keeps the patient off the portal; nothing once they are on it."""
	if status == AccountStatus.ACTIVE:
		return ()
	return check_eligibility(facts, rules).reasons


# A now-adult patient is done with once their own account is on its way or in use.
SELF_REACHED = frozenset({AccountStatus.INVITED, AccountStatus.ACTIVE})
NOW_ADULT = Reason("now_adult", _("Now an adult: invite them to their own account."))
NOW_ADULT_PARENT_EMAIL = Reason(
	"now_adult_parent_email",
	_(
		"Now an adult, but their email address is the one their parent's account used: change it on the "
		"patient, then invite them to their own account."
	),
)


def now_adult_reason(aged_out: int | None, self_status: str | None) -> Reason | None:
	"""Why the admin should invite a patient whose representative's access ended at their majority.

	`aged_out` is what the report's query reads: None when no representative account of the patient
	ended at majority, else 1 when the patient's email address is such an account's own, 0 when not.
	"""
	if aged_out is None or self_status in SELF_REACHED:
		return None
	# An invitation to the parent's mailbox would hand the adult's own account to the parent.
	return NOW_ADULT_PARENT_EMAIL if aged_out else NOW_ADULT


@dataclass(frozen=True)
class AgeWindow:
	"""The patients who reach majority after `day` and by `horizon`: those born from `born_from` to
	`born_to` (both included, an empty range when `born_from > born_to`)."""

	day: date
	horizon: date
	born_from: date
	born_to: date
	majority_age: int

	@property
	def days(self) -> int:
		return (self.horizon - self.day).days


def turning_adult_window(day: date, policy: AgePolicy, days: int = TURNING_ADULT_DAYS) -> AgeWindow:
	"""The births whose majority date falls in the `days` days after `day`, as one range of dates.

	The majority date only grows with the date of birth, so those births are one range; its ends lie
	within a day of the dates `majority_age` years before the window's ends (29 February moves them),
	and each candidate is asked of the age policy itself, so the database filters exactly what
	`turns_adult_within` says.
	"""
	first = add_years(day, -policy.majority_age)
	last = add_years(day + timedelta(days=max(days, 0)), -policy.majority_age)
	candidates = (first + timedelta(days=n) for n in range(-2, (last - first).days + 3))
	inside = [b for b in candidates if turns_adult_within(b, day, policy, days)]
	if not inside:
		return AgeWindow(day, day + timedelta(days=days), day, day - timedelta(days=1), policy.majority_age)
	return AgeWindow(day, day + timedelta(days=days), inside[0], inside[-1], policy.majority_age)


class EmailAction:
	"""What clicking a row's email does; the same names as the account actions they lead to."""

	INVITE = "invite"
	RESEND_INVITATION = "resend_invitation"
	SEND_PASSWORD_RESET = "send_password_reset"


# Statuses whose email sends the invitation; of those, the ones whose earlier link a new one revokes.
INVITABLE = frozenset(
	{
		AccountStatus.NOT_ENABLED,
		AccountStatus.ENABLED,
		AccountStatus.INVITED,
		AccountStatus.INVITE_EXPIRED,
		AccountStatus.INVITE_FAILED,
	}
)
RESENDS = frozenset({AccountStatus.INVITED, AccountStatus.INVITE_EXPIRED, AccountStatus.INVITE_FAILED})


def email_action(status: str, email: str | None, eligible: bool, reset_account: str | None) -> str | None:
	"""What the row's email does, if anything: a password reset link for a patient whose own account is
	Active with a login and an address (`reset_account`), else the invitation of an eligible patient."""
	if not (email or "").strip():
		return None
	if status == AccountStatus.ACTIVE:
		return EmailAction.SEND_PASSWORD_RESET if reset_account else None
	if not eligible or status not in INVITABLE:
		return None
	return EmailAction.RESEND_INVITATION if status in RESENDS else EmailAction.INVITE


def normalise_status(status: str | None) -> str:
	"""Patients saved before the app was installed have no status yet: they are Not Enabled."""
	return status if status in AccountStatus.ALL else AccountStatus.NOT_ENABLED


def merge_counts(counts: Iterable[tuple[str | None, int]]) -> dict[str, int]:
	"""Grouped counts keyed by every status, in the order screens list them (missing ones are 0)."""
	merged = dict.fromkeys(AccountStatus.ALL, 0)
	for status, count in counts:
		merged[normalise_status(status)] += int(count or 0)
	return merged


@dataclass(frozen=True)
class Card:
	"""One summary card: Frappe's `report_summary` item, its label still to be translated."""

	label: str
	value: int | str
	indicator: str
	datatype: str = "Int"
	args: tuple[str, ...] = ()  # what the translated label is formatted with


def status_cards(counts: Mapping[str, int]) -> list[Card]:
	"""One card per status, coloured like the status pill."""
	return [Card(status, counts.get(status, 0), STATUS_COLOURS[status]) for status in AccountStatus.ALL]


def age_cards(turning_adult: int, now_adult: int, window: AgeWindow) -> list[Card]:
	"""Patients whose representatives' access ends within the window, and grown-ups to invite."""
	return [
		Card(
			_("Turning {0} within {1} days"),
			turning_adult,
			"orange",
			args=(str(window.majority_age), str(window.days)),
		),
		Card(_("Now adults to invite"), now_adult, "blue"),
	]


def percent(part: int, whole: int) -> str:
	return f"{(100.0 * part / whole):.1f}%" if whole else "0.0%"


@dataclass(frozen=True)
class Funnel:
	"""Accounts invited, of those whose link was opened, and of those activated; and how reminders did:
	accounts whose invitation got at least one, the reminders sent, and accounts that activated on an
	invitation that had been reminded."""

	invited: int
	opened: int
	activated: int
	reminded: int = 0
	reminders: int = 0
	activated_after_reminder: int = 0

	def cards(self) -> list[Card]:
		return [
			Card(_("Accounts invited"), self.invited, "blue"),
			Card(_("Link opened"), f"{self.opened} ({percent(self.opened, self.invited)})", "orange", "Data"),
			Card(
				_("Activated"), f"{self.activated} ({percent(self.activated, self.invited)})", "green", "Data"
			),
		]

	def reminder_cards(self) -> list[Card]:
		"""Reminded as a share of invited; activated after a reminder as a share of reminded."""
		return [
			Card(
				_("Reminded"), f"{self.reminded} ({percent(self.reminded, self.invited)})", "purple", "Data"
			),
			Card(_("Reminders sent"), self.reminders, "purple"),
			Card(
				_("Activated after a reminder"),
				f"{self.activated_after_reminder} ({percent(self.activated_after_reminder, self.reminded)})",
				"green",
				"Data",
			),
		]


def page_label(filters: ReportFilters, total: int) -> tuple[str, tuple[str, ...]]:
	"""'Patients 101 to 200 of 12,345' as a template and its arguments."""
	if not total:
		return _("No patients match these filters."), ()
	first = min(filters.offset + 1, total)
	last = min(filters.offset + filters.page_length, total)
	if filters.offset >= total:
		return _("Page {0} is past the last page ({1})."), (str(filters.page), str(last_page(filters, total)))
	return _("Patients {0} to {1} of {2}"), (f"{first:,}", f"{last:,}", f"{total:,}")


def last_page(filters: ReportFilters, total: int) -> int:
	return max(1, -(-total // filters.page_length))
