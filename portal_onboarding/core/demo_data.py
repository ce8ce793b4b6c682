"""Demo patients for trying the app at scale: who they are, and where each stands on the portal.

Pure and reproducible: the seed and the clock are parameters. The Frappe shell (`demo_data.py`)
turns these records into rows. Every name starts with DEMO_PREFIX, so removal finds exactly them.
"""

import random
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from portal_onboarding.constants import AccessType, AccountStatus, Channel, InvitationStatus
from portal_onboarding.core.age_policy import (
	DEFAULT_PROXY_MONTHS,
	AgePolicy,
	Stage,
	add_months,
	add_years,
	majority_date,
	stage_on,
)
from portal_onboarding.core.messages import Reason, _
from portal_onboarding.core.onboarding_report import turning_adult_window
from portal_onboarding.core.status import AccountState, patient_portal_status

S = AccountStatus

DEMO_PREFIX = "PO-DEMO-"
NUMBER_WIDTH = 7
MAX_NUMBER = 10**NUMBER_WIDTH - 1
MAX_PATIENTS = 1_000_000
# No real person's address: the domains RFC 2606 reserves for examples.
DEMO_DOMAINS = ("example.com", "example.org", "example.net")
SEND_ATTEMPTS_EXHAUSTED = 3

# Every BLOCK patients of a run get exactly this spread, so even a small run shows every status.
BLOCK = 50
STATUS_DECK: tuple[str, ...] = (
	(S.NOT_ENABLED,) * 34
	+ (S.ENABLED,) * 3
	+ (S.INVITED,) * 4
	+ (S.ACTIVE,) * 5
	+ (S.INVITE_EXPIRED,) * 2
	+ (S.INVITE_FAILED,) * 1
	+ (S.SUSPENDED,) * 1
)
# Per block, among patients without portal access: what their record lacks (8% no email, 10% no address).
QUIRKS: tuple[str, ...] = ("no_email",) * 4 + ("no_address",) * 5 + ("no_zip", "no_dob")
# One block in this many (the first among them) has a child turning adult within the report's 30 days
# and a grown-up whose parent's account the daily age job ended: 0.5% of patients each, a few times what
# a clinic has, so that a small demo shows both.
AGES_EVERY = 4
# A grown-up whose parent's account the daily age job ended came of age this long ago at most; and a
# parent held the account at least this long before that.
AGED_OUT_WITHIN_DAYS = 700
AGED_OUT_AFTER_REGISTRATION_DAYS = 60
DAYS_PER_YEAR = 365.25

FEMALE_NAMES = (
	"Olivia", "Emma", "Ava", "Sophia", "Isabella", "Mia", "Charlotte", "Amelia", "Harper", "Evelyn",
	"Abigail", "Emily", "Elizabeth", "Sofia", "Avery", "Ella", "Scarlett", "Grace", "Chloe", "Victoria",
	"Riley", "Aria", "Lily", "Zoë", "Nora", "Hannah", "Layla", "Priya", "Ananya", "Mei", "Yuki",
	"Fatima", "Aisha", "Amara", "Chiamaka", "Ngozi", "María", "Lucía", "Valentina", "Camila", "Ximena",
	"Guadalupe", "Siobhan", "Aoife", "Ingrid", "Freya", "Astrid", "Leilani", "Keiko", "Hana", "Min-ji",
	"Olga", "Natasha", "Irina", "Esther", "Ruth", "Naomi", "Margaret", "Dorothy", "Patricia", "Linda",
	"Barbara", "Susan", "Jennifer", "Anne-Marie", "Renée", "Noémie", "Maya", "Zainab", "Leah",
)  # fmt: skip
MALE_NAMES = (
	"Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas", "Henry", "Theodore",
	"Jack", "Levi", "Alexander", "Jackson", "Mateo", "Daniel", "Michael", "Mason", "Sebastian", "Ethan",
	"Logan", "Owen", "Samuel", "Jacob", "Asher", "Aiden", "John", "Joseph", "Wyatt", "David", "José",
	"Luis", "Carlos", "Juan", "Miguel", "Diego", "Alejandro", "Mohammed", "Omar", "Ali", "Hassan",
	"Arjun", "Rohan", "Vikram", "Wei", "Hiroshi", "Kenji", "Minh", "Jin-woo", "Chinedu", "Kwame",
	"Oluwaseun", "Seán", "Niall", "Lars", "Björn", "Dmitri", "Ivan", "Robert", "Thomas", "Charles",
	"George", "Kenneth", "Jean-Luc", "François", "Mehmet", "Tariq", "Isaac", "Caleb", "Ezra",
)  # fmt: skip
LAST_NAMES = (
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
	"Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
	"Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez",
	"Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen",
	"Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
	"Carter", "Roberts", "Kim", "Park", "Patel", "Shah", "Singh", "Kumar", "Chen", "Wang", "Li",
	"Zhang", "Tanaka", "Suzuki", "Sato", "Okafor", "Adeyemi", "Mensah", "Mwangi", "O'Brien",
	"O'Connor", "McAllister", "MacDonald", "Murphy", "Kelly", "Schmidt", "Müller", "Novak", "Kowalski",
	"Ivanova", "Petrov", "Rossi", "Russo", "Esposito", "Silva", "Santos", "Oliveira", "Pereira", "Cohen",
	"Levi", "Friedman", "Haddad", "Khalil", "Nasser", "Yilmaz", "Demir", "Andersson", "Johansson",
	"Larsen", "van der Berg", "de la Cruz", "Fitzgerald", "St. John", "Al-Sayed", "Smith-Jones",
	"Nguyen-Tran", "Dubois", "Lefèvre", "Lindqvist", "Papadopoulos", "Horvath", "Brennan", "Okonkwo",
)  # fmt: skip
# (city, state, first three digits of its ZIP codes)
CITIES = (
	("Springfield", "IL", "627"), ("Portland", "OR", "972"), ("Austin", "TX", "787"),
	("Denver", "CO", "802"), ("Madison", "WI", "537"), ("Burlington", "VT", "054"),
	("Boise", "ID", "837"), ("Albany", "NY", "122"), ("Columbus", "OH", "432"),
	("Raleigh", "NC", "276"), ("Tucson", "AZ", "857"), ("Omaha", "NE", "681"),
	("Sacramento", "CA", "958"), ("Richmond", "VA", "232"), ("Savannah", "GA", "314"),
	("Des Moines", "IA", "503"), ("Providence", "RI", "029"), ("Anchorage", "AK", "995"),
	("Honolulu", "HI", "968"), ("Santa Fe", "NM", "875"),
)  # fmt: skip
STREETS = (
	"Maple", "Oak", "Cedar", "Elm", "Washington", "Lincoln", "Park", "Lake", "Hill", "Sunset", "Main",
	"Church", "Mill", "River", "Highland", "Jefferson", "Franklin", "Walnut", "Willow", "Chestnut",
)  # fmt: skip
STREET_KINDS = ("Street", "Avenue", "Road", "Lane", "Drive", "Court", "Way", "Boulevard", "Place")
AREA_CODES = ("212", "312", "415", "503", "512", "602", "617", "702", "720", "808", "907", "919")
FAILURE_REASONS = (
	"550 5.1.1 The email account that you tried to reach does not exist.",
	"552 5.2.2 The recipient's mailbox is full.",
	"Connection to the mail server timed out.",
)
ADULT_RELATIONS = ("Carer", "Spouse or Partner", "Child", "Other")


@dataclass(frozen=True, slots=True)
class DemoInvitation:
	name: str
	status: str
	channel: str
	sent_to: str
	created: datetime
	expires_on: datetime
	sent_on: datetime | None = None
	opened_on: datetime | None = None
	accepted_on: datetime | None = None
	identity_verified_on: datetime | None = None
	identity_attempts: int = 0
	send_attempts: int = 1
	sms_status: str = "Not Requested"
	failure_reason: str | None = None


@dataclass(frozen=True, slots=True)
class DemoAccount:
	name: str
	access_type: str
	status: str
	first_name: str
	last_name: str
	username: str
	email: str | None
	mobile: str | None
	created: datetime
	modified: datetime
	relation: str | None = None
	last_invited_on: datetime | None = None
	activated_on: datetime | None = None
	invitation: DemoInvitation | None = None
	adult_proxy: bool = False
	access_valid_until: date | None = None
	aged_out_on: date | None = None
	# None: every section the writer gives accounts; else only those of them (a teen's parent's).
	section_limit: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class DemoAddress:
	name: str
	line1: str
	line2: str | None
	city: str
	state: str
	pincode: str | None


@dataclass(frozen=True, slots=True)
class DemoPatient:
	number: int
	name: str
	first_name: str
	last_name: str
	sex: str
	dob: date | None
	email: str | None
	mobile: str | None
	created: datetime
	portal_access: bool
	portal_status: str
	status_reason: str | None
	address: DemoAddress | None
	accounts: tuple[DemoAccount, ...]

	@property
	def patient_name(self) -> str:
		return f"{self.first_name} {self.last_name}"


def patient_name(number: int) -> str:
	return f"{DEMO_PREFIX}{number:0{NUMBER_WIDTH}d}"


def account_name(number: int, representative: bool = False) -> str:
	return f"{DEMO_PREFIX}ACC-{number:0{NUMBER_WIDTH}d}{'-R' if representative else ''}"


def invitation_name(number: int, representative: bool = False) -> str:
	return f"{DEMO_PREFIX}INV-{number:0{NUMBER_WIDTH}d}{'-R' if representative else ''}"


def address_name(number: int) -> str:
	return f"{DEMO_PREFIX}ADR-{number:0{NUMBER_WIDTH}d}"


def demo_number(name: str) -> int | None:
	"""The number of a demo patient's name, None for any other name."""
	digits = name[len(DEMO_PREFIX) :] if name.startswith(DEMO_PREFIX) else ""
	return int(digits) if len(digits) == NUMBER_WIDTH and digits.isdigit() else None


def check_patient_count(count: int, next_number: int) -> Reason | None:
	"""None when `count` demo patients may be added from `next_number` on, else why not."""
	if not 1 <= count <= MAX_PATIENTS:
		return Reason(
			"demo_count", _("The number of demo patients must be between 1 and {0}."), (f"{MAX_PATIENTS:,}",)
		)
	if next_number + count - 1 > MAX_NUMBER:
		return Reason(
			"demo_numbers_used",
			_("Only {0} more demo patients fit after the existing ones; remove them first."),
			(f"{max(MAX_NUMBER - next_number + 1, 0):,}",),
		)
	return None


def ascii_slug(text: str) -> str:
	"""Lower-case ASCII letters and digits only: 'Zoë O'Brien' -> 'zoeobrien'."""
	plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
	return re.sub(r"[^a-z0-9]+", "", plain)


@dataclass(frozen=True)
class Slot:
	"""What one position of a block decides before the person is drawn."""

	status: str
	disabled: bool = False
	quirk: str | None = None
	in_family: bool = False
	extra_representative: bool = False
	turning_adult: bool = False
	aged_out: bool = False


def plan_block(rng: random.Random, ages: bool = True) -> list[Slot]:
	"""One block's slots: the status spread, one family sharing an email, the records that lack data.

	With portal access: one adult with an extra representative (their proxy); and when `ages`, one
	child turning adult within the report's look-ahead, and the Suspended patient a young adult whose
	parent's account the daily age job ended at their majority, with no account of their own yet.
	"""
	statuses = list(STATUS_DECK)
	rng.shuffle(statuses)
	size = rng.choice((2, 2, 3, 4))
	first = rng.randrange(BLOCK - size + 1)
	family = set(range(first, first + size))
	plain = [i for i, s in enumerate(statuses) if s == S.NOT_ENABLED and i not in family]
	rng.shuffle(plain)
	disabled = plain.pop()
	quirks = dict(zip(plain, QUIRKS, strict=False))
	enabled = [i for i, s in enumerate(statuses) if s != S.NOT_ENABLED]
	extra = rng.choice(enabled)
	turning = rng.choice([i for i in enabled if i != extra and statuses[i] != S.SUSPENDED])
	return [
		Slot(
			status=status,
			disabled=i == disabled,
			quirk=quirks.get(i),
			in_family=i in family,
			extra_representative=i == extra,
			turning_adult=ages and i == turning,
			aged_out=ages and status == S.SUSPENDED and i != extra,
		)
		for i, status in enumerate(statuses)
	]


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
		invitation = self.invitation(number, status, floor, representative, email, mobile, before=ended)
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

	def invitation(
		self,
		number: int,
		status: str,
		floor: datetime,
		representative: bool,
		email: str | None,
		mobile: str | None,
		before: datetime | None = None,
	) -> DemoInvitation | None:
		"""The last invitation an account in `status` had; None when it was never invited.

		`before`: an accepted invitation was accepted before then.
		"""
		if status == S.ENABLED or not email:
			return None
		rng, now, life = self.rng, self.now, self.lifetime
		channel = Channel.BOTH if mobile and rng.random() < 0.35 else Channel.EMAIL
		sms = "Sent" if channel == Channel.BOTH else "Not Requested"
		name = invitation_name(number, representative)
		if status == S.INVITE_FAILED:
			created = between(rng, floor + timedelta(hours=1), now - timedelta(hours=4))
			return DemoInvitation(
				name=name,
				status=InvitationStatus.FAILED,
				channel=Channel.EMAIL,
				sent_to=email,
				created=created,
				expires_on=created + life,
				send_attempts=SEND_ATTEMPTS_EXHAUSTED,
				failure_reason=rng.choice(FAILURE_REASONS),
			)
		if status == S.INVITED:
			sent = now - life * rng.uniform(0.05, 0.9)
		elif status == S.INVITE_EXPIRED:
			sent = between(rng, floor + timedelta(hours=1), now - life - timedelta(hours=1))
		else:
			latest = now - life - timedelta(days=1)
			sent = between(rng, floor + timedelta(hours=1), min(latest, before - life) if before else latest)
		sent = sent.replace(microsecond=0)
		created = sent - timedelta(seconds=rng.randrange(2, 90))
		expires = sent + life
		if status in (S.INVITED, S.INVITE_EXPIRED):
			end = min(now, expires)
			opened = between(rng, sent, end) if rng.random() < 0.4 else None
			return DemoInvitation(
				name=name,
				status=InvitationStatus.SENT if status == S.INVITED else InvitationStatus.EXPIRED,
				channel=channel,
				sent_to=email,
				created=created,
				expires_on=expires,
				sent_on=sent,
				opened_on=opened,
				identity_attempts=rng.choice((0, 0, 1)) if opened else 0,
				sms_status=sms,
			)
		accepted = between(rng, sent + timedelta(minutes=10), sent + life * 0.8)
		verified = accepted - timedelta(seconds=rng.randrange(30, 300))
		return DemoInvitation(
			name=name,
			status=InvitationStatus.ACCEPTED,
			channel=channel,
			sent_to=email,
			created=created,
			expires_on=expires,
			sent_on=sent,
			opened_on=verified - timedelta(seconds=rng.randrange(20, 180)),
			accepted_on=accepted,
			identity_verified_on=verified,
			identity_attempts=rng.choice((1, 1, 1, 2)),
			sms_status=sms,
		)


def between(rng: random.Random, low: datetime, high: datetime) -> datetime:
	"""A moment between `low` and `high`, whole seconds; `low` when the window is empty."""
	if high <= low:
		return low.replace(microsecond=0)
	return (low + (high - low) * rng.random()).replace(microsecond=0)
