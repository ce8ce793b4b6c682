"""The records a demo patient is drawn as: the patient, their address, accounts and invitations."""

from dataclasses import dataclass
from datetime import date, datetime


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
