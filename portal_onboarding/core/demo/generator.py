"""Demo patients for trying the app at scale: who they are, and where each stands on the portal.

Pure and reproducible: the seed and the clock are parameters. The Frappe shell (`demo_data.py`)
turns these records into rows. Every name starts with DEMO_PREFIX, so removal finds exactly them.
"""

import random
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta

from portal_onboarding.constants import AccessType, AccountStatus
from portal_onboarding.core.age_policy import (
	DEFAULT_PROXY_MONTHS,
	AgePolicy,
	Stage,
	add_months,
	add_years,
	majority_date,
	stage_on,
)
from portal_onboarding.core.demo.invitations import between, draw_invitation
from portal_onboarding.core.demo.names import (
	ADULT_RELATIONS,
	AREA_CODES,
	CITIES,
	DEMO_DOMAINS,
	FEMALE_NAMES,
	LAST_NAMES,
	MALE_NAMES,
	STREET_KINDS,
	STREETS,
	account_name,
	address_name,
	ascii_slug,
	patient_name,
)
from portal_onboarding.core.demo.plan import AGES_EVERY, BLOCK, Slot, plan_block
from portal_onboarding.core.demo.records import DemoAccount, DemoAddress, DemoPatient
from portal_onboarding.core.onboarding_report import turning_adult_window
from portal_onboarding.core.status import AccountState, patient_portal_status

S = AccountStatus

# A grown-up whose parent's account the daily age job ended came of age this long ago at most; and a
# parent held the account at least this long before that.
AGED_OUT_WITHIN_DAYS = 700
AGED_OUT_AFTER_REGISTRATION_DAYS = 60
DAYS_PER_YEAR = 365.25


class DemoGenerator:
	"""Draws demo patients for numbers start, start + 1, ...; the same seed gives the same people.

	Representatives follow the age `policy` as the daily age job leaves them: a child's parent holds
	the child's account, a teen's parent only the policy's partial sections, an adult's representative
	is the adult's proxy until a date within `proxy_months`.
	"""

	def __init__(
		self,
		now: datetime,
		genders: Sequence[str],
		invitation_hours: int = 72,
		seed: int = 0,
		years: int = 3,
		policy: AgePolicy | None = None,
		proxy_months: int = DEFAULT_PROXY_MONTHS,
	) -> None:
		self.now = now.replace(microsecond=0)
		self.genders = tuple(genders)
		self.lifetime = timedelta(hours=invitation_hours)
		self.rng = random.Random(seed)
		self.years = years
		self.policy = policy or AgePolicy()
		self.proxy_months = proxy_months
		self.turning = turning_adult_window(self.now.date(), self.policy)

	def patients(self, start: int, count: int) -> Iterator[DemoPatient]:
		"""`count` patients, registered oldest first over the last few years."""
		newest = self.now - max(timedelta(days=3), self.lifetime + timedelta(days=2))
		oldest = newest - timedelta(days=365 * self.years)
		step = (newest - oldest) / count
		for block, offset in enumerate(range(0, count, BLOCK)):
			family: tuple[str, str] | None = None
			slots = plan_block(self.rng, ages=block % AGES_EVERY == 0)
			for i, slot in enumerate(slots[: count - offset]):
				number = start + offset + i
				if slot.in_family and family is None:
					family = self.family(number)
				created = oldest + step * (offset + i) + timedelta(seconds=self.rng.randrange(60))
				yield self.patient(number, slot, created.replace(microsecond=0), family)

	def family(self, number: int) -> tuple[str, str]:
		"""The last name and the one email address a family shares."""
		last = self.rng.choice(LAST_NAMES)
		return last, f"{ascii_slug(last)}.family.{number}@{self.rng.choice(DEMO_DOMAINS)}"

	def sex(self) -> str:
		named = [g for g in self.genders if g in ("Female", "Male")]
		others = [g for g in self.genders if g not in named]
		if others and (not named or self.rng.random() < 0.03):
			return self.rng.choice(others)
		return self.rng.choice(named)

	def first_name(self, sex: str) -> str:
		names = {"Female": FEMALE_NAMES, "Male": MALE_NAMES}.get(sex) or self.rng.choice(
			(FEMALE_NAMES, MALE_NAMES)
		)
		return self.rng.choice(names)

	def birth_date(self, adult: bool) -> date:
		"""An adult's, or anyone's: a fifth children (some in the partial years), the rest adults."""
		majority = self.policy.majority_age
		adults = ((majority, 64), (65, 95))
		low, high = self.rng.choice(adults if adult else ((0, majority - 1), *adults[:1] * 3, adults[1]))
		# Whole years of 365.25 days: a birthday's leap days never put anyone in the band next to theirs.
		age_days = self.rng.randrange(int(low * DAYS_PER_YEAR) + 1, int((high + 1) * DAYS_PER_YEAR) - 1)
		return (self.now - timedelta(days=age_days)).date()

	def turning_adult_birth(self) -> date:
		"""A birth date whose majority falls within the report's look-ahead."""
		window = self.turning
		return window.born_from + timedelta(
			days=self.rng.randrange((window.born_to - window.born_from).days + 1)
		)

	def aged_out_birth(self, created: datetime) -> date | None:
		"""A birth date whose majority fell between registration (a while after) and yesterday; None when
		the patient was registered too recently to have come of age since."""
		today = self.now.date()
		earliest = max(
			created.date() + timedelta(days=AGED_OUT_AFTER_REGISTRATION_DAYS),
			today - timedelta(days=AGED_OUT_WITHIN_DAYS),
		)
		latest = today - timedelta(days=2)  # a day's slack: 29 February's majority moves a day later
		if earliest > latest:
			return None
		came_of_age = earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))
		return add_years(came_of_age, -self.policy.majority_age)

	def email(self, first: str, last: str, number: int, suffix: str = "") -> str:
		domain = self.rng.choice(DEMO_DOMAINS)
		return f"{ascii_slug(first)}.{ascii_slug(last)}.{number}{suffix}@{domain}"

	def mobile(self) -> str | None:
		if self.rng.random() < 0.12:
			return None
		return f"+1 {self.rng.choice(AREA_CODES)} 555 01{self.rng.randrange(100):02d}"

	def address(self, number: int, quirk: str | None) -> DemoAddress | None:
		if quirk == "no_address":
			return None
		city, state, zip3 = self.rng.choice(CITIES)
		return DemoAddress(
			name=address_name(number),
			line1=f"{self.rng.randrange(1, 9999)} {self.rng.choice(STREETS)} {self.rng.choice(STREET_KINDS)}",
			line2=f"Apt {self.rng.randrange(1, 40)}{self.rng.choice('ABCD')}"
			if self.rng.random() < 0.2
			else None,
			city=city,
			state=state,
			pincode=None if quirk == "no_zip" else f"{zip3}{self.rng.randrange(1, 100):02d}",
		)

	def patient(
		self, number: int, slot: Slot, created: datetime, family: tuple[str, str] | None
	) -> DemoPatient:
		sex = self.sex()
		first = self.first_name(sex)
		last, email = family if slot.in_family and family else (self.rng.choice(LAST_NAMES), None)
		aged_out = self.aged_out_birth(created) if slot.aged_out else None
		if slot.quirk == "no_dob":
			dob = None
		elif aged_out or slot.turning_adult:
			dob = aged_out or self.turning_adult_birth()
		else:
			dob = self.birth_date(adult=slot.extra_representative or slot.aged_out)
		stage = stage_on(dob, self.now.date(), self.policy)
		# A child's record carries a parent's contact details, and the parent holds the portal account;
		# so did a grown-up's whose parent's access ended at majority.
		parent = (
			self.first_name(self.rng.choice(("Female", "Male")))
			if stage in (Stage.CHILD, Stage.PARTIAL) or aged_out
			else None
		)
		if email is None and slot.quirk != "no_email":
			email = self.email(parent or first, last, number)
		holder_email = email
		if aged_out and not slot.in_family and self.rng.random() < 0.7:
			# Most grown-ups have given the clinic an address of their own; the rest still have the parent's.
			email = self.email(first, last, number, suffix="a")
		mobile = self.mobile()
		accounts = self.accounts(
			number,
			slot,
			(first, last),
			parent,
			holder_email,
			mobile,
			created,
			stage,
			dob if aged_out else None,
		)
		enabled = slot.status != S.NOT_ENABLED
		failure = next((a.invitation.failure_reason for a in accounts if a.invitation), None)
		return DemoPatient(
			number=number,
			name=patient_name(number),
			first_name=first,
			last_name=last,
			sex=sex,
			dob=dob,
			email=email,
			mobile=mobile,
			created=created,
			portal_access=enabled,
			portal_status=patient_portal_status(
				enabled, [AccountState(a.access_type, a.status) for a in accounts]
			),
			status_reason=failure if enabled else None,
			address=self.address(number, slot.quirk),
			accounts=accounts,
		)

	def accounts(
		self,
		number: int,
		slot: Slot,
		name: tuple[str, str],
		parent: str | None,
		email: str | None,
		mobile: str | None,
		created: datetime,
		stage: str,
		aged_out_birth: date | None,
	) -> tuple[DemoAccount, ...]:
		"""The patient's accounts; `email` is the holder's (the parent's for a child)."""
		if slot.status == S.NOT_ENABLED and not slot.disabled:
			return ()
		first, last = name
		# Disabled patients keep their account, back at Not Enabled after having been active.
		story = S.ACTIVE if slot.disabled or aged_out_birth else slot.status
		representative = parent is not None
		came_of_age = majority_date(aged_out_birth, self.policy)
		main = self.account(
			number,
			story,
			created,
			representative=representative,
			person=(parent or first, last),
			email=email,
			mobile=mobile,
			relation=self.rng.choice(("Parent", "Parent", "Parent", "Legal Guardian")) if parent else None,
			final_status=S.NOT_ENABLED if slot.disabled else None,
			came_of_age=came_of_age,
			# What the daily job leaves a teen's parent; the parent of a grown-up had as much the day before.
			section_limit=self.policy.partial_sections if stage == Stage.PARTIAL or came_of_age else None,
		)
		if not slot.extra_representative or representative:
			return (main,)
		rep_first = self.first_name(self.rng.choice(("Female", "Male")))
		rep_last = last if self.rng.random() < 0.7 else self.rng.choice(LAST_NAMES)
		rep = self.account(
			number,
			self.rng.choice((S.ENABLED, S.INVITED, S.ACTIVE, S.ACTIVE)),
			created,
			representative=True,
			person=(rep_first, rep_last),
			email=self.email(rep_first, rep_last, number, suffix="r"),
			mobile=self.mobile(),
			relation=self.rng.choice(ADULT_RELATIONS),
			proxy_until=self.proxy_end(),
		)
		return (main, rep)

	def proxy_end(self) -> date:
		"""An adult proxy's end date: in the future, within the clinic's maximum."""
		today = self.now.date()
		latest = add_months(today, self.proxy_months)
		return today + timedelta(days=self.rng.randrange(1, (latest - today).days + 1))

	def account(
		self,
		number: int,
		status: str,
		floor: datetime,
		representative: bool,
		person: tuple[str, str],
		email: str | None,
		mobile: str | None,
		relation: str | None,
		final_status: str | None = None,
		came_of_age: date | None = None,
		section_limit: frozenset[str] | None = None,
		proxy_until: date | None = None,
	) -> DemoAccount:
		"""An account whose dates tell the story of `status`; `final_status` is where it ended up.

		`came_of_age`: the patient's majority, on which the daily age job suspended this parent's
		account (an Active story that ends there). `proxy_until`: an adult's proxy, ending then.
		"""
		ended = datetime.combine(came_of_age, time(3)) if came_of_age else None
		invitation = draw_invitation(
			self.rng,
			self.now,
			self.lifetime,
			number,
			status,
			floor,
			representative,
			email,
			mobile,
			before=ended,
		)
		latest = invitation.created if invitation else self.now - timedelta(hours=1)
		created = between(self.rng, floor + timedelta(minutes=5), latest - timedelta(seconds=30))
		last_invited_on = invitation.created if invitation else None
		activated_on = invitation.accepted_on if invitation else None
		modified = max(d for d in (created, last_invited_on, activated_on) if d)
		if ended:
			modified = ended + timedelta(seconds=self.rng.randrange(600))
		elif status == S.SUSPENDED or final_status:
			modified = between(self.rng, modified, self.now - timedelta(minutes=5))
		first, last = person
		base = ".".join(p for p in (ascii_slug(first), ascii_slug(last)) if p)[:19]
		return DemoAccount(
			name=account_name(number, representative),
			access_type=AccessType.REPRESENTATIVE if representative else AccessType.SELF,
			status=S.SUSPENDED if ended else final_status or status,
			first_name=first,
			last_name=last,
			username=f"{base}.demo{number}{'r' if representative else ''}",
			email=email,
			mobile=mobile,
			created=created,
			modified=modified,
			relation=relation,
			last_invited_on=last_invited_on,
			activated_on=activated_on,
			invitation=invitation,
			adult_proxy=proxy_until is not None,
			access_valid_until=proxy_until,
			aged_out_on=came_of_age,
			section_limit=section_limit,
		)
