"""The demo-data command's functions on the test site.

Seeding commits chunk by chunk, so these tests cannot rely on rollback: each class removes every
demo row again with the command's own removal, which is what the last test checks.
"""

from collections import Counter

from click.testing import CliRunner

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate, today

from portal_onboarding import demo_data
from portal_onboarding.api import onboarding as onboarding_api
from portal_onboarding.commands import portal_onboarding_demo
from portal_onboarding.constants import (
	ACCOUNT,
	CAN_ACCESS,
	EVENT,
	INVITATION,
	NO_ACCESS,
	ONBOARDING_REPORT,
	PATIENT,
	SECTION,
	AccessType,
	AccountStatus,
	InvitationStatus,
)
from portal_onboarding.core.age_policy import Stage, add_months, stage_on
from portal_onboarding.core.demo.names import DEMO_PREFIX
from portal_onboarding.core.onboarding_report import turning_adult_window
from portal_onboarding.primitives.patients import home_zip
from portal_onboarding.primitives.status import compute_portal_status
from portal_onboarding.settings import age_policy, proxy_max_months
from tests.integration.factories import make_account, make_eligible_patient
from tests.site import site_name

S = AccountStatus
TABLES = (PATIENT, "Address", "Dynamic Link", ACCOUNT, SECTION, INVITATION, EVENT)
SECTIONS = ["Appointments", "Lab Results", "Invoices"]
INVITATION_FOR = {
	S.INVITED: InvitationStatus.SENT,
	S.ACTIVE: InvitationStatus.ACCEPTED,
	S.INVITE_EXPIRED: InvitationStatus.EXPIRED,
	S.INVITE_FAILED: InvitationStatus.FAILED,
}


def demo_rows(keep: dict[str, set[str]]) -> dict[str, set[str]]:
	"""Rows named as demo rows, or pointing at a demo-named patient, other than those in `keep`."""
	found = {}
	for doctype in TABLES:
		table = frappe.qb.DocType(doctype)
		column = {"Dynamic Link": table.parent, SECTION: table.parent, EVENT: table.patient}.get(
			doctype, table.name
		)
		where = column.like(f"{DEMO_PREFIX}%")
		if doctype == "Dynamic Link":
			where &= table.parenttype == "Address"
		rows = frappe.qb.from_(table).select(table.name).where(where).run(pluck=True)
		found[doctype] = set(rows) - keep.get(doctype, set())
	return found


def rows_of(patient: str) -> dict[str, set[str]]:
	"""Every row of the tables the removal touches that belongs to `patient`."""
	links = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Address", "link_doctype": PATIENT, "link_name": patient},
		fields=["name", "parent"],
	)
	accounts = set(frappe.get_all(ACCOUNT, filters={"patient": patient}, pluck="name"))
	return {
		PATIENT: {patient},
		"Address": {link.parent for link in links},
		"Dynamic Link": {link.name for link in links},
		ACCOUNT: accounts,
		SECTION: set(frappe.get_all(SECTION, filters={"parent": ("in", accounts)}, pluck="name")),
		INVITATION: set(frappe.get_all(INVITATION, filters={"account": ("in", accounts)}, pluck="name")),
		EVENT: set(frappe.get_all(EVENT, filters={"patient": patient}, pluck="name")),
	}


def delete_patient(patient: str) -> None:
	"""Delete a committed test patient with everything saving it made (contact, customer, address)."""
	frappe.db.rollback()
	for account in frappe.get_all(ACCOUNT, filters={"patient": patient}, pluck="name"):
		frappe.db.delete(INVITATION, {"account": account})
		frappe.delete_doc(ACCOUNT, account, force=True)
	frappe.db.delete(EVENT, {"patient": patient})
	linked = frappe.get_all(
		"Dynamic Link",
		filters={"link_doctype": PATIENT, "link_name": patient, "parenttype": ("in", ["Address", "Contact"])},
		fields=["parenttype", "parent"],
	)
	for link in linked:
		frappe.delete_doc(link.parenttype, link.parent, force=True)
	customer = frappe.db.get_value(PATIENT, patient, "customer")
	frappe.delete_doc(PATIENT, patient, force=True)
	if customer:
		frappe.delete_doc("Customer", customer, force=True)
	frappe.db.commit()


def setUpModule():
	"""The test site holds thousands of demo patients (tests/bench/prepare); these tests need none, so
	they are removed here and as many seeded again when the module is done, for the tests after it."""
	global SITE_DEMO_PATIENTS
	SITE_DEMO_PATIENTS = frappe.db.count(PATIENT, {"name": ("like", f"{DEMO_PREFIX}%")})


def tearDownModule():
	demo_data.remove()
	if SITE_DEMO_PATIENTS:
		demo_data.seed(SITE_DEMO_PATIENTS)


SITE_DEMO_PATIENTS = 0


class TestDemoSeed(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		demo_data.remove()
		cls.addClassCleanup(demo_data.remove)
		cls.lines: list[str] = []
		cls.first = demo_data.seed(60, chunk_size=25, progress=cls.lines.append, sections=SECTIONS)
		cls.second = demo_data.seed(2, sections=[])
		cls.patients = frappe.get_all(
			PATIENT,
			filters={"name": ("like", f"{DEMO_PREFIX}%")},
			fields=["name", "email", "dob", "sex", "portal_access", "portal_status", "portal_status_reason"],
			order_by="name asc",
		)
		cls.accounts = frappe.get_all(
			ACCOUNT, filters={"patient": ("like", f"{DEMO_PREFIX}%")}, fields=["*"], order_by="name asc"
		)
		cls.invitations = frappe.get_all(
			INVITATION, filters={"patient": ("like", f"{DEMO_PREFIX}%")}, fields=["*"]
		)

	def test_seeds_in_committed_chunks_and_numbers_on(self):
		self.assertEqual(self.first.rows[PATIENT], 60)
		self.assertEqual((self.first.first, self.first.last), ("PO-DEMO-0000001", "PO-DEMO-0000060"))
		self.assertEqual((self.second.first, self.second.last), ("PO-DEMO-0000061", "PO-DEMO-0000062"))
		self.assertEqual(len(self.patients), 62)
		self.assertEqual(len(self.lines), 3)
		self.assertIn("60 of 60", self.lines[-1])
		self.assertEqual(self.first.rows[ACCOUNT] + self.second.rows[ACCOUNT], len(self.accounts))

	def test_every_portal_status_is_what_the_app_computes(self):
		for patient in self.patients:
			self.assertEqual(patient.portal_status, compute_portal_status(patient.name), patient.name)
			expected = NO_ACCESS if patient.portal_status == S.NOT_ENABLED else CAN_ACCESS
			self.assertEqual(patient.portal_access, expected, patient.name)

	def test_statuses_are_spread_with_most_not_enabled(self):
		counts = Counter(p.portal_status for p in self.patients)
		self.assertGreaterEqual(
			set(counts),
			{S.NOT_ENABLED, S.ENABLED, S.INVITED, S.ACTIVE, S.INVITE_EXPIRED, S.INVITE_FAILED, S.SUSPENDED},
		)
		self.assertGreater(counts[S.NOT_ENABLED], len(self.patients) / 2)
		failed = [p for p in self.patients if p.portal_status == S.INVITE_FAILED]
		self.assertTrue(all(p.portal_status_reason for p in failed))

	def test_contact_details_are_realistic_and_sometimes_missing_or_shared(self):
		emails = Counter(p.email for p in self.patients if p.email)
		self.assertTrue(any(2 <= n <= 4 for n in emails.values()), emails)
		self.assertTrue(all(e.endswith(("@example.com", "@example.org", "@example.net")) for e in emails))
		self.assertTrue(any(not p.email for p in self.patients))
		self.assertTrue(any(not p.dob for p in self.patients))
		self.assertTrue(frappe.db.exists("Gender", self.patients[0].sex))
		zips = {p.name: home_zip(p.name) for p in self.patients}
		with_address = set(
			frappe.get_all(
				"Dynamic Link",
				filters={"parenttype": "Address", "link_doctype": PATIENT, "link_name": ("in", list(zips))},
				pluck="link_name",
			)
		)
		self.assertTrue(any(name not in with_address for name in zips))
		self.assertTrue(any(name in with_address and not zips[name] for name in zips))
		self.assertTrue(all(len(z) == 5 and z.isdigit() for z in zips.values() if z))

	def test_accounts_and_invitations_match_the_statuses(self):
		self.assertTrue(any(a.access_type == AccessType.REPRESENTATIVE for a in self.accounts))
		by_account = {i.account: i for i in self.invitations}
		for account in self.accounts:
			self.assertTrue(account.name.startswith(f"{DEMO_PREFIX}ACC-"))
			self.assertIsNone(account.user)
			own = account.access_type == AccessType.SELF
			self.assertEqual(account.self_account_of, account.patient if own else None)
			if account.status in INVITATION_FOR:
				invitation = by_account[account.name]
				self.assertEqual(invitation.status, INVITATION_FOR[account.status], account.name)
				self.assertEqual(account.last_invited_on, invitation.creation)
			if account.status == S.ACTIVE:
				self.assertEqual(account.activated_on, by_account[account.name].accepted_on)
		self.assertTrue(self.invitations)
		self.assertTrue(all(i.token_hash is None for i in self.invitations))

	def test_accounts_get_the_sections_asked_for_a_teen_s_parent_only_the_partial_ones(self):
		policy, day = age_policy(), getdate(today())
		dob = {p.name: p.dob for p in self.patients}
		partial = [s for s in SECTIONS if s in policy.partial_sections]
		sections = frappe.get_all(
			SECTION, filters={"parent": ("like", f"{DEMO_PREFIX}%")}, fields=["parent", "portal_section"]
		)
		held: dict[str, list[str]] = {a.name: [] for a in self.accounts}
		for row in sections:
			held[row.parent].append(row.portal_section)
		teens = 0
		for account in self.accounts:
			if account.patient > self.first.last:
				self.assertEqual(held[account.name], [], account.name)  # seeded with no sections
				continue
			stage = stage_on(dob[account.patient], day, policy)
			if account.access_type == AccessType.REPRESENTATIVE and (
				stage == Stage.PARTIAL or account.aged_out_on
			):
				teens += 1
				self.assertEqual(sorted(held[account.name]), sorted(partial), account.name)
			else:
				self.assertEqual(sorted(held[account.name]), sorted(SECTIONS), account.name)
		self.assertGreaterEqual(teens, 2)  # at least the teen turning adult and the grown-up's parent
		self.assertEqual(self.first.rows[SECTION], sum(len(v) for v in held.values()))

	def test_adults_extra_representatives_are_their_proxies_until_a_date_within_the_maximum(self):
		day = getdate(today())
		proxies = [a for a in self.accounts if a.adult_proxy]
		self.assertTrue(proxies)
		dob = {p.name: p.dob for p in self.patients}
		for account in proxies:
			self.assertEqual(account.access_type, AccessType.REPRESENTATIVE)
			self.assertEqual(stage_on(dob[account.patient], day, age_policy()), Stage.ADULT)
			self.assertTrue(day < account.access_valid_until <= add_months(day, proxy_max_months()), account)
		# A second account on a patient is always an adult's proxy, never a plain representative.
		per_patient = Counter(a.patient for a in self.accounts)
		self.assertEqual({a.patient for a in proxies}, {p for p, n in per_patient.items() if n == 2})

	def test_the_report_finds_the_teen_turning_adult_and_the_grown_up_to_invite(self):
		from frappe.desk.query_report import run

		turning = {r["patient"] for r in run(ONBOARDING_REPORT, filters={"turning_adult": 1})["result"]}
		teens = {p.name for p in self.patients if p.name <= self.first.last and p.name in turning}
		self.assertTrue(teens)
		window = turning_adult_window(getdate(today()), age_policy())
		dob = {p.name: p.dob for p in self.patients}
		self.assertTrue(all(window.born_from <= dob[name] <= window.born_to for name in teens))
		(grown,) = {a.patient for a in self.accounts if a.aged_out_on}
		parent = next(a for a in self.accounts if a.aged_out_on)
		self.assertEqual(parent.status, S.SUSPENDED)
		(row,) = onboarding_api.rows([grown])
		self.assertTrue(row["now_adult"])
		self.assertTrue(row["reason"].startswith("Now an adult"), row["reason"])
		self.assertEqual(row["portal_status"], S.SUSPENDED)

	def test_demo_rows_open_as_documents(self):
		account = frappe.get_doc(ACCOUNT, self.accounts[0].name)
		self.assertEqual([row.portal_section for row in account.permitted_sections], SECTIONS)
		self.assertEqual(account.patient_name, frappe.db.get_value(PATIENT, account.patient, "patient_name"))
		patient = frappe.get_doc(PATIENT, self.patients[0].name)
		self.assertEqual(patient.status, "Active")
		self.assertFalse(patient.invite_user)


def search_words(patients: str) -> set[str]:
	"""The patients matching the LIKE pattern that have words in the report's search index."""
	from portal_onboarding.reporting.search import TABLE

	return set(frappe.db.sql_list(f"select distinct patient from `{TABLE}` where patient like %s", patients))


class TestDemoRemove(FrappeTestCase):
	def test_remove_deletes_exactly_the_demo_rows_and_what_points_at_them(self):
		demo_data.remove()
		# A real patient, named like a demo patient where patients are named after their names.
		keep = make_eligible_patient(first_name=f"{DEMO_PREFIX}0000001", last_name="Keep")
		self.addCleanup(delete_patient, keep.name)
		make_account(keep.name, permitted_sections=[{"portal_section": s} for s in SECTIONS])
		frappe.db.commit()
		kept = rows_of(keep.name)
		try:
			seeded = demo_data.seed(60, chunk_size=20, sections=SECTIONS)
			# Written without hooks, yet found by the report's search like any patient.
			self.assertEqual(len(search_words(f"{DEMO_PREFIX}%") - {keep.name}), 60)
			# Made through the app on a demo patient: it goes with the demo too.
			extra = make_account(
				f"{DEMO_PREFIX}0000001", access_type=AccessType.REPRESENTATIVE, relation="Carer"
			)
			frappe.db.commit()
			self.assertTrue(frappe.db.exists(EVENT, {"account": extra.name}))
		finally:
			removed = demo_data.remove(chunk_size=25)
		self.assertEqual(removed.rows[PATIENT], 60)
		self.assertEqual(removed.rows[ACCOUNT], seeded.rows[ACCOUNT] + 1)
		self.assertEqual(removed.rows[INVITATION], seeded.rows[INVITATION])
		self.assertGreaterEqual(removed.rows[SECTION], seeded.rows[SECTION])
		self.assertEqual(removed.rows["Address"], seeded.rows["Address"])
		self.assertEqual(removed.rows["Dynamic Link"], seeded.rows["Dynamic Link"])
		self.assertFalse(frappe.db.exists(ACCOUNT, extra.name))
		self.assertEqual(demo_rows(kept), {doctype: set() for doctype in TABLES})
		self.assertEqual(rows_of(keep.name), kept)
		self.assertTrue(all(kept[doctype] for doctype in (PATIENT, "Address", ACCOUNT, EVENT)))
		self.assertEqual(search_words(f"{DEMO_PREFIX}%") - {keep.name}, set())
		self.assertEqual(search_words(keep.name), {keep.name})

	def test_remove_with_nothing_to_remove(self):
		demo_data.remove()
		self.assertEqual(demo_data.remove().rows[PATIENT], 0)

	def test_seed_refuses_a_count_out_of_range(self):
		for count in (0, 1_000_001):
			with self.assertRaises(frappe.ValidationError):
				demo_data.seed(count)


class TestDemoCommand(FrappeTestCase):
	def invoke(self, *args: str):
		return CliRunner().invoke(
			portal_onboarding_demo, list(args), obj={"sites": [site_name()], "profile": False}
		)

	def test_usage_errors_before_touching_the_site(self):
		for args, message in (
			((), "--patients N"),
			(("--patients", "3", "--remove"), "not both"),
			(("--patients", "0"), "1<=x<=1000000"),
			(("--patients", "1000001"), "1<=x<=1000000"),
		):
			result = self.invoke(*args)
			self.assertEqual(result.exit_code, 2, result.output)
			self.assertIn(message, result.output)
