"""Demo patients in bulk, for trying the onboarding report and bulk invitations at clinic scale.

Rows go in with multi-row INSERTs, a chunk per transaction: no controllers, hooks, mail or Users, so
the words the report's search finds them by are written here too. Removal finds demo patients by
their name prefix and deletes them with everything that points at them (accounts, sections,
invitations, events, their addresses, their search words), and nothing else.
"""

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any

import frappe
from frappe import _
from frappe.query_builder import Criterion, Order, Table
from frappe.utils import now_datetime

from portal_onboarding.constants import (
	ACCOUNT,
	APP_NAME,
	CAN_ACCESS,
	DEFAULT_INVITATION_HOURS,
	EVENT,
	INVITATION,
	NO_ACCESS,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	PORTAL_REASON_FIELD,
	PORTAL_STATUS_FIELD,
	SECTION,
	SEND_INVITATION_FIELD,
	AccessType,
)
from portal_onboarding.core.demo.generator import DemoGenerator
from portal_onboarding.core.demo.names import (
	DEMO_PREFIX,
	NUMBER_WIDTH,
	address_name,
	check_patient_count,
	demo_number,
)
from portal_onboarding.core.demo.records import DemoAccount, DemoPatient
from portal_onboarding.exceptions import throw_reasons
from portal_onboarding.primitives.status import forget_status_counts, refresh_all_summaries
from portal_onboarding.reporting import search
from portal_onboarding.settings import age_policy, default_portal_sections, get_settings, proxy_max_months

CHUNK_SIZE = 5_000
ADDRESS = "Address"
DYNAMIC_LINK = "Dynamic Link"
OWNER = "Administrator"
STANDARD_FIELDS = ("name", "owner", "creation", "modified", "modified_by", "docstatus", "idx")
CHILD_FIELDS = ("parent", "parenttype", "parentfield")
DEMO_NAME_PATTERN = f"^{DEMO_PREFIX}[0-9]{{{NUMBER_WIDTH}}}$"

Progress = Callable[[str], None]


@dataclass
class DemoSummary:
	"""What a seed or a removal wrote or deleted, per doctype."""

	rows: Counter = field(default_factory=Counter)
	first: str | None = None
	last: str | None = None
	seconds: float = 0.0


def seed(
	count: int,
	chunk_size: int = CHUNK_SIZE,
	progress: Progress | None = None,
	random_seed: int | None = None,
	sections: Sequence[str] | None = None,
) -> DemoSummary:
	"""Add `count` demo patients, numbered on from the highest demo patient already on the site.

	Their accounts get `sections`, by default the sections a new account gets from the settings; a
	teen's parent only those of them the age policy leaves in the partial years.
	"""
	started = time.monotonic()
	require_app()
	start = next_demo_number()
	reason = check_patient_count(count, start)
	throw_reasons([reason] if reason else [], frappe.ValidationError, title=_("Demo data"))
	generator = DemoGenerator(
		now_datetime(),
		ensure_genders(),
		int(get_settings().invitation_lifetime_hours or DEFAULT_INVITATION_HOURS),
		seed=start if random_seed is None else random_seed,
		policy=age_policy(),
		proxy_months=proxy_max_months(),
	)
	writer = RowWriter(
		country=demo_country(), sections=default_portal_sections() if sections is None else sections
	)
	summary = DemoSummary()
	patients = generator.patients(start, count)
	while chunk := list(islice(patients, chunk_size)):
		summary.rows.update(writer.write(chunk, chunk_size))
		frappe.db.commit()
		summary.first = summary.first or chunk[0].name
		summary.last = chunk[-1].name
		if progress:
			progress(
				_("{0} of {1} demo patients written ({2} s)").format(
					f"{summary.rows[PATIENT]:,}", f"{count:,}", f"{time.monotonic() - started:.1f}"
				)
			)
	# The accounts' summary the onboarding report reads from Patient, in one statement.
	refresh_all_summaries()
	frappe.db.commit()
	summary.seconds = time.monotonic() - started
	return summary


def remove(chunk_size: int = CHUNK_SIZE, progress: Progress | None = None) -> DemoSummary:
	"""Delete every demo patient and what belongs to them, a committed chunk at a time."""
	started = time.monotonic()
	require_app()
	summary = DemoSummary()
	while names := demo_patients(Order.asc, chunk_size):
		summary.first = summary.first or names[0]
		summary.last = names[-1]
		accounts = names_where(ACCOUNT, matching({"patient": names}))
		addresses = [address_name(demo_number(name) or 0) for name in names]
		summary.rows.update(remove_rows(names, accounts, addresses, chunk_size))
		frappe.db.commit()
		if progress:
			progress(
				_("{0} demo patients removed ({1} s)").format(
					f"{summary.rows[PATIENT]:,}", f"{time.monotonic() - started:.1f}"
				)
			)
	# Rows named as demo rows whose patient went some other way.
	summary.rows.update(
		remove_rows(
			[],
			names_where(ACCOUNT, lambda t: t.name.like(f"{DEMO_PREFIX}ACC-%")),
			names_where(ADDRESS, lambda t: t.name.like(f"{DEMO_PREFIX}ADR-%")),
			chunk_size,
			invitations=names_where(INVITATION, lambda t: t.name.like(f"{DEMO_PREFIX}INV-%")),
		)
	)
	forget_status_counts()
	frappe.db.commit()
	summary.seconds = time.monotonic() - started
	return summary


def require_app() -> None:
	"""Demo rows live in the app's tables: without the app there is nothing to write to or remove."""
	if APP_NAME not in frappe.get_installed_apps():
		frappe.throw(_("Portal Onboarding is not installed on site {0}.").format(frappe.local.site))


def next_demo_number() -> int:
	"""One past the highest demo patient's number, so a second run adds to the first."""
	highest = demo_patients(Order.desc, 1)
	return (demo_number(highest[0]) or 0) + 1 if highest else 1


def demo_patients(order: Order, limit: int) -> list[str]:
	"""Names of demo patients in name (so number) order; the LIKE lets the primary key do the work."""
	patient = frappe.qb.DocType(PATIENT)
	return (
		frappe.qb.from_(patient)
		.select(patient.name)
		.where(patient.name.like(f"{DEMO_PREFIX}%") & patient.name.regexp(DEMO_NAME_PATTERN))
		.orderby(patient.name, order=order)
		.limit(limit)
		.run(pluck=True)
	)


def ensure_genders() -> list[str]:
	"""The site's genders, with Female and Male added when the site has not got them yet."""
	for gender in ("Female", "Male"):
		if not frappe.db.exists("Gender", gender):
			frappe.get_doc({"doctype": "Gender", "gender": gender}).insert(ignore_permissions=True)
	return frappe.get_all("Gender", pluck="name", order_by="name asc")


def demo_country() -> str | None:
	"""The demo addresses carry five-digit US ZIP codes, so they are in the United States when it exists."""
	if frappe.db.exists("Country", "United States"):
		return "United States"
	return frappe.db.get_single_value("System Settings", "country") or None


class RowWriter:
	"""Turns demo patients into rows of each table and inserts them in bulk."""

	def __init__(self, country: str | None, sections: Sequence[str]) -> None:
		self.country = country
		self.sections = tuple(sections)
		self.with_opened_on = frappe.db.has_column(INVITATION, "opened_on")

	def write(self, patients: list[DemoPatient], chunk_size: int) -> Counter:
		"""Insert the chunk's rows, parents before the rows that point at them; commits nothing."""
		tables: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {
			PATIENT: (self.patient_fields(), [self.patient_row(p) for p in patients]),
			ADDRESS: (self.address_fields(), [self.address_row(p) for p in patients if p.address]),
			DYNAMIC_LINK: (self.link_fields(), [self.link_row(p) for p in patients if p.address]),
			ACCOUNT: (self.account_fields(), [self.account_row(p, a) for p in patients for a in p.accounts]),
			SECTION: (self.section_fields(), list(self.section_rows(patients))),
			INVITATION: (
				self.invitation_fields(),
				[self.invitation_row(p, a) for p in patients for a in p.accounts if a.invitation],
			),
		}
		written: Counter = Counter()
		for doctype, (fields, rows) in tables.items():
			if rows:
				frappe.db.bulk_insert(doctype, list(fields), rows, chunk_size=chunk_size)
				written[doctype] += len(rows)
		search.add([(p.name, p.patient_name, p.email, p.mobile) for p in patients])
		return written

	@staticmethod
	def standard(name: str, created: datetime, modified: datetime | None = None, idx: int = 0) -> tuple:
		return (name, OWNER, sql_value(created), sql_value(modified or created), OWNER, 0, idx)

	@staticmethod
	def patient_fields() -> tuple[str, ...]:
		return (
			*STANDARD_FIELDS,
			*("first_name", "last_name", "patient_name", "sex", "dob", "email", "mobile", "status"),
			*("invite_user", PORTAL_ACCESS_FIELD, PORTAL_STATUS_FIELD, PORTAL_REASON_FIELD),
			SEND_INVITATION_FIELD,
		)

	def patient_row(self, p: DemoPatient) -> tuple:
		return (
			*self.standard(p.name, p.created),
			*(p.first_name, p.last_name, p.patient_name, p.sex, sql_value(p.dob), p.email, p.mobile),
			*("Active", 0, CAN_ACCESS if p.portal_access else NO_ACCESS, p.portal_status, p.status_reason),
			0,
		)

	@staticmethod
	def address_fields() -> tuple[str, ...]:
		return (
			*STANDARD_FIELDS,
			*("address_title", "address_type", "address_line1", "address_line2", "city", "state"),
			*("country", "pincode", "email_id", "phone", "is_primary_address", "is_shipping_address"),
			"disabled",
		)

	def address_row(self, p: DemoPatient) -> tuple:
		a = p.address
		assert a is not None
		return (
			*self.standard(a.name, p.created),
			*(p.patient_name, "Billing", a.line1, a.line2, a.city, a.state),
			*(self.country, a.pincode, p.email, p.mobile, 1, 0),
			0,
		)

	@staticmethod
	def link_fields() -> tuple[str, ...]:
		return (*STANDARD_FIELDS, *CHILD_FIELDS, "link_doctype", "link_name", "link_title")

	def link_row(self, p: DemoPatient) -> tuple:
		assert p.address is not None
		return (
			*self.standard(f"{p.address.name}-L1", p.created, idx=1),
			*(p.address.name, ADDRESS, "links", PATIENT, p.name, p.patient_name),
		)

	@staticmethod
	def account_fields() -> tuple[str, ...]:
		return (
			*STANDARD_FIELDS,
			*("patient", "patient_name", "access_type", "status", "username", "self_account_of"),
			*("first_name", "last_name", "relation", "contact_email", "contact_mobile"),
			*("force_password_change", "activated_on", "last_invited_on"),
			*("adult_proxy", "access_valid_until", "aged_out_on"),
		)

	def account_row(self, p: DemoPatient, a: DemoAccount) -> tuple:
		own = a.access_type == AccessType.SELF
		return (
			*self.standard(a.name, a.created, a.modified),
			*(p.name, p.patient_name, a.access_type, a.status, a.username, p.name if own else None),
			*(a.first_name, a.last_name, a.relation, a.email, a.mobile),
			*(0, sql_value(a.activated_on), sql_value(a.last_invited_on)),
			*(int(a.adult_proxy), sql_value(a.access_valid_until), sql_value(a.aged_out_on)),
		)

	@staticmethod
	def section_fields() -> tuple[str, ...]:
		return (*STANDARD_FIELDS, *CHILD_FIELDS, "portal_section")

	def section_rows(self, patients: list[DemoPatient]) -> Iterator[tuple]:
		for p in patients:
			for a in p.accounts:
				limit = a.section_limit
				sections = [s for s in self.sections if limit is None or s in limit]
				for idx, section in enumerate(sections, start=1):
					yield (
						*self.standard(f"{a.name}-S{idx}", a.created, a.modified, idx=idx),
						*(a.name, ACCOUNT, "permitted_sections", section),
					)

	def invitation_fields(self) -> tuple[str, ...]:
		return (
			*STANDARD_FIELDS,
			*("account", "patient", "channel", "sent_to", "status", "expires_on", "created_by"),
			*("token_hash", "sent_on", "accepted_on", "reminders_sent", "send_attempts", "sms_status"),
			*("failure_reason", "identity_attempts", "identity_verified_on"),
			*(("opened_on",) if self.with_opened_on else ()),
		)

	def invitation_row(self, p: DemoPatient, a: DemoAccount) -> tuple:
		i = a.invitation
		assert i is not None
		last_change = max(d for d in (i.created, i.sent_on, i.opened_on, i.accepted_on) if d)
		# No token is ever made for a demo invitation: its link cannot be opened.
		return (
			*self.standard(i.name, i.created, last_change),
			*(a.name, p.name, i.channel, i.sent_to, i.status, sql_value(i.expires_on), OWNER),
			*(None, sql_value(i.sent_on), sql_value(i.accepted_on), 0, i.send_attempts, i.sms_status),
			*(i.failure_reason, i.identity_attempts, sql_value(i.identity_verified_on)),
			*((sql_value(i.opened_on),) if self.with_opened_on else ()),
		)


def sql_value(value: date | datetime | None) -> str | None:
	"""Dates as MariaDB reads them (the query builder would write ISO 8601's 'T')."""
	return str(value) if value is not None else None


def names_where(doctype: str, where: Callable[[Table], Criterion]) -> list[str]:
	table = frappe.qb.DocType(doctype)
	return frappe.qb.from_(table).select(table.name).where(where(table)).run(pluck=True)


def matching(columns: dict[str, list[str]]) -> Callable[[Table], Criterion]:
	"""Rows with any of the columns in its list (empty lists are left out: `in ()` is not SQL)."""
	return lambda t: Criterion.any(
		[getattr(t, column).isin(values) for column, values in columns.items() if values]
	)


def purge(doctype: str, where: Callable[[Table], Criterion], chunk_size: int) -> int:
	"""Delete exactly the rows `where` picks, by name; returns how many."""
	names = names_where(doctype, where)
	table = frappe.qb.DocType(doctype)
	for start in range(0, len(names), chunk_size):
		frappe.qb.from_(table).delete().where(table.name.isin(names[start : start + chunk_size])).run()
	return len(names)


def remove_rows(
	patients: list[str],
	accounts: list[str],
	addresses: list[str],
	chunk_size: int,
	invitations: list[str] | None = None,
) -> Counter:
	"""Delete the patients, the accounts on them and the addresses made for them, dependants first."""
	removed: Counter = Counter()
	invitation_columns = {"name": invitations or [], "account": accounts, "patient": patients}
	if any(invitation_columns.values()):
		removed[INVITATION] = purge(INVITATION, matching(invitation_columns), chunk_size)
	if patients or accounts:
		removed[EVENT] = purge(EVENT, matching({"patient": patients, "account": accounts}), chunk_size)
	if accounts:
		removed[SECTION] = purge(
			SECTION, lambda t: (t.parenttype == ACCOUNT) & t.parent.isin(accounts), chunk_size
		)
		removed[ACCOUNT] = purge(ACCOUNT, lambda t: t.name.isin(accounts), chunk_size)
	if addresses:
		removed[DYNAMIC_LINK] = purge(
			DYNAMIC_LINK, lambda t: (t.parenttype == ADDRESS) & t.parent.isin(addresses), chunk_size
		)
		removed[ADDRESS] = purge(ADDRESS, lambda t: t.name.isin(addresses), chunk_size)
	if patients:
		search.forget(patients)
		removed[PATIENT] = purge(PATIENT, lambda t: t.name.isin(patients), chunk_size)
	return removed
