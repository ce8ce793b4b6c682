"""The Patient Portal Onboarding report on a real site: rows, colours, filters, counts, funnel, paging."""

import random
from datetime import timedelta

import frappe
from frappe.desk.query_report import run as run_report
from frappe.tests.utils import FrappeTestCase
from frappe.utils import now_datetime, today

from portal_onboarding.api import invitation as invitation_api
from portal_onboarding.api import onboarding as onboarding_api
from portal_onboarding.constants import ACCOUNT, MANAGER_ROLE, ONBOARDING_REPORT, SETTINGS, AccountStatus
from portal_onboarding.core.status import STATUS_COLOURS
from portal_onboarding.invitations import portal_access, sending
from portal_onboarding.primitives import patients
from portal_onboarding.primitives.status import refresh_portal_status
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	ensure_outgoing_email_account,
	make_eligible_patient,
	make_patient,
	make_user,
	unique,
)

COLUMNS = [
	"patient",
	"patient_name",
	"email",
	"mobile",
	"home_zip",
	"portal_status",
	"reason",
	"last_invited_on",
	"activated_on",
	"representatives",
]


def report(**filters) -> dict:
	return run_report(ONBOARDING_REPORT, filters=filters)


class ReportCase(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		settings = frappe.get_single(SETTINGS)
		settings.update(
			{"require_email": 1, "require_home_zip": 1, "require_identity_check": 1, "send_sms_notice": 0}
		)
		settings.save()
		ensure_outgoing_email_account()
		# Every patient of a test shares a family name no other test uses: the search filter isolates them.
		self.family = unique("Fam")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def patient(self, eligible: bool = True, **kw):
		kw.setdefault("last_name", self.family)
		return make_eligible_patient(**kw) if eligible else make_patient(**kw)

	def invite(self, patient: str) -> tuple[str, str]:
		with JobRecorder() as jobs:
			account, invitation = sending.invite(patient)
			jobs.run()
		return account.name, invitation.name

	def rows(self, **filters) -> dict[str, dict]:
		return {row["patient"]: row for row in report(search=self.family, **filters)["result"]}

	def cards(self, **filters) -> dict[str, object]:
		return {
			card["label"]: card["value"] for card in report(search=self.family, **filters)["report_summary"]
		}


class TestRows(ReportCase):
	def test_one_row_per_patient_with_status_colour_reason_and_dates(self):
		no_zip = self.patient(eligible=False, email=f"{unique('nz')}@example.com", mobile="5550101")
		enabled = self.patient()
		portal_access.enable(enabled.name)
		invited = self.patient()
		self.invite(invited.name)
		active = self.patient()
		_account, invitation = self.invite(active.name)
		self.assertTrue(accept_link(activation_key(invitation))["ok"])
		sending.invite(
			active.name,
			representative={
				"first_name": "Rita",
				"last_name": self.family,
				"email": f"{unique('rep')}@example.com",
				"relation": "Parent",
			},
		)

		result = report(search=self.family)
		self.assertEqual([c["fieldname"] for c in result["columns"]], COLUMNS)
		rows = {row["patient"]: row for row in result["result"]}
		self.assertEqual(set(rows), {no_zip.name, enabled.name, invited.name, active.name})

		self.assertEqual(rows[no_zip.name]["portal_status"], AccountStatus.NOT_ENABLED)
		self.assertEqual(rows[no_zip.name]["status_colour"], "red")
		self.assertIn("no home ZIP code", rows[no_zip.name]["reason"])
		self.assertEqual(rows[no_zip.name]["mobile"], "5550101")
		self.assertIsNone(rows[no_zip.name]["home_zip"])
		self.assertFalse(rows[no_zip.name]["eligible"])

		self.assertEqual(rows[enabled.name]["portal_status"], AccountStatus.ENABLED)
		self.assertEqual(rows[enabled.name]["home_zip"], "90210")
		self.assertEqual(rows[enabled.name]["reason"], "")
		self.assertTrue(rows[enabled.name]["eligible"])

		self.assertEqual(rows[invited.name]["portal_status"], AccountStatus.INVITED)
		self.assertIsNotNone(rows[invited.name]["last_invited_on"])
		self.assertIsNone(rows[invited.name]["activated_on"])

		self.assertEqual(rows[active.name]["portal_status"], AccountStatus.ACTIVE)
		self.assertIsNotNone(rows[active.name]["activated_on"])
		self.assertEqual(rows[active.name]["representatives"], 1)
		for row in rows.values():
			self.assertEqual(row["status_colour"], STATUS_COLOURS[row["portal_status"]])

	def test_the_last_failed_send_is_the_reason_shown(self):
		patient = self.patient()
		portal_access.enable(patient.name)
		frappe.db.set_value("Patient", patient.name, "portal_status_reason", "SMTP said no")
		self.assertEqual(self.rows()[patient.name]["reason"], "SMTP said no")

	def test_the_home_zip_is_the_primary_address_s_as_eligibility_reads_it(self):
		from tests.integration.factories import make_address

		two_plain = self.patient(eligible=False, email=f"{unique('two')}@example.com")
		make_address(two_plain.name, "11111", primary=0)
		make_address(two_plain.name, "22222", primary=0)
		with_primary = self.patient(eligible=False, email=f"{unique('pri')}@example.com")
		only = make_address(with_primary.name, "33333", primary=0)
		primary = make_address(with_primary.name, "44444", primary=1)
		rows = self.rows()
		for name in (two_plain.name, with_primary.name):
			self.assertEqual(rows[name]["home_zip"], patients.home_zip(name))
		self.assertIsNone(rows[two_plain.name]["home_zip"])
		self.assertEqual(rows[with_primary.name]["home_zip"], "44444")

		# The copy the report reads follows the addresses: a deletion, an edit, a link moved away.
		frappe.delete_doc("Address", primary.name, ignore_permissions=True)
		self.assertEqual(self.rows()[with_primary.name]["home_zip"], "33333")
		only.pincode = "55555"
		only.save(ignore_permissions=True)
		self.assertEqual(self.rows()[with_primary.name]["home_zip"], "55555")
		only.links[0].link_name = two_plain.name
		only.save(ignore_permissions=True)
		rows = self.rows()
		self.assertIsNone(rows[with_primary.name]["home_zip"])
		self.assertIsNone(rows[two_plain.name]["home_zip"])

	def test_refreshing_a_row_after_an_action_shows_the_new_status(self):
		patient = self.patient()
		self.assertEqual(onboarding_api.rows([patient.name])[0]["portal_status"], AccountStatus.NOT_ENABLED)
		portal_access.enable(patient.name)
		self.assertEqual(onboarding_api.rows([patient.name])[0]["portal_status"], AccountStatus.ENABLED)
		self.invite(patient.name)
		row = onboarding_api.rows([patient.name])[0]
		self.assertEqual((row["portal_status"], row["status_colour"]), (AccountStatus.INVITED, "orange"))


class TestFilters(ReportCase):
	def test_status_eligible_only_and_search_by_name_email_or_mobile(self):
		mobile = random_mobile()
		plain = self.patient(mobile=mobile)
		no_zip = self.patient(eligible=False, email=f"{unique('nz')}@example.com")
		no_email = self.patient(eligible=False)
		enabled = self.patient()
		portal_access.enable(enabled.name)

		self.assertEqual(set(self.rows(status=AccountStatus.ENABLED)), {enabled.name})
		self.assertEqual(
			set(self.rows(status=AccountStatus.NOT_ENABLED)), {plain.name, no_zip.name, no_email.name}
		)
		self.assertEqual(set(self.rows(eligible_only=1)), {plain.name, enabled.name})
		by_mobile = report(search=mobile)["result"]
		self.assertEqual([r["patient"] for r in by_mobile], [plain.name])
		by_email = report(search=no_zip.email)["result"]
		self.assertEqual([r["patient"] for r in by_email], [no_zip.name])
		by_name = report(search=plain.first_name)["result"]
		self.assertEqual([r["patient"] for r in by_name], [plain.name])

	def test_a_search_with_wildcards_matches_them_literally(self):
		self.patient()
		self.assertEqual(report(search=f"{self.family}%")["result"], [])
		self.assertEqual(report(search="_" * 20)["result"], [])

	def test_invited_from_and_to(self):
		early = self.patient()
		late = self.patient()
		self.invite(early.name)
		self.invite(late.name)
		account = frappe.db.get_value(ACCOUNT, {"patient": early.name})
		frappe.db.set_value(ACCOUNT, account, "last_invited_on", now_datetime() - timedelta(days=20))
		refresh_portal_status(early.name)
		week_ago = str((now_datetime() - timedelta(days=7)).date())
		self.assertEqual(set(self.rows(invited_from=week_ago)), {late.name})
		self.assertEqual(set(self.rows(invited_to=week_ago)), {early.name})
		self.assertEqual(set(self.rows(invited_from=week_ago, invited_to=today())), {late.name})

	def test_nonsense_filters_are_refused_with_a_clear_message(self):
		cases = {
			"is not a portal status": {"status": "Whatever"},
			"is after Invited To": {"invited_from": "2026-03-01", "invited_to": "2026-01-01"},
			"at most 140 characters": {"search": "x" * 5000},
			"is not a date": {"invited_from": "yesterday"},
			"Page must be": {"page": "-3"},
			"Rows per page": {"page_length": "100000"},
		}
		for expected, filters in cases.items():
			with self.subTest(filters=filters):
				frappe.clear_messages()
				result = (
					report(search=self.family, **filters) if "search" not in filters else report(**filters)
				)
				self.assertEqual(result["result"], [])
				self.assertIn(expected, result["message"])
				self.assertIn(expected, frappe.message_log[-1]["message"])
		# Refusing never leaves Frappe's timer free to switch the report to prepared mode.
		self.assertEqual(frappe.db.get_value("Report", ONBOARDING_REPORT, "prepared_report"), 0)

	def test_without_the_manager_role_there_is_no_data(self):
		nurse, _password = make_user(["Nursing User"])
		self.patient()
		frappe.set_user(nurse)
		with self.assertRaises(frappe.PermissionError):
			report(search=self.family)
		with self.assertRaises(frappe.PermissionError):
			onboarding_api.rows([])
		frappe.set_user("Administrator")
		manager, _password = make_user([MANAGER_ROLE, "Physician"])
		frappe.set_user(manager)
		self.assertEqual(len(report(search=self.family)["result"]), 1)


def random_mobile() -> str:
	"""Ten digits no demo patient has (theirs are all 555-01xx numbers)."""
	return f"9{random.randrange(10**9):09d}"


def dashed(mobile: str) -> str:
	return f"{mobile[:3]}-{mobile[3:6]}-{mobile[6:]}"


class TestSearch(ReportCase):
	"""The search as a person uses it: case, accents and spaces ignored, partial names, any part of an
	email from the start of a word, a mobile however it is typed; and who is not found."""

	def setUp(self):
		super().setUp()
		# Made-up surnames no other patient has, so the searches below need no family filter.
		self.garcia, self.lopez = unique("Gz").capitalize(), unique("Lz").capitalize()
		self.mobile = random_mobile()
		self.ana = self.patient(
			first_name="Ána",
			last_name=f"{self.garcia} {self.lopez}",
			email=f"ana.{self.garcia.lower()}.77@example.org",
			mobile=f"+1 ({self.mobile[:3]}) {self.mobile[3:6]} {self.mobile[6:]}",
		)
		# Bystanders: a namesake, a surname that only contains hers, a mobile that only starts like hers.
		self.bea = self.patient(first_name="Bea", last_name=self.garcia)
		self.inside = self.patient(first_name="Ana", last_name=f"Mc{self.garcia}")
		self.near = self.patient(first_name="Cy", mobile=f"{self.mobile[:6]}0000")

	def found(self, search: str) -> set[str]:
		return {row["patient"] for row in report(search=search, page_length="1000")["result"]}

	def test_a_surname_from_its_start_in_any_case_with_spaces(self):
		both = {self.ana.name, self.bea.name}  # not McGarcia: a word is found from its start
		for search in (self.garcia, self.garcia[:4].lower(), f"  {self.garcia.upper()}  "):
			with self.subTest(search=search):
				self.assertEqual(self.found(search), both)
		self.assertEqual(self.found(self.lopez), {self.ana.name})  # the second surname

	def test_a_first_name_and_a_partial_full_name(self):
		ana = self.ana.name
		self.assertIn(ana, self.found("ana"))  # "Ána": accents ignored
		for search in (
			f"ana {self.garcia[:3]}",
			f"ANA   {self.garcia[:5].lower()} ",
			f"{self.lopez} ana",
			f"{self.garcia}{self.lopez}",  # the two surnames run together
			f"{self.garcia}-{self.lopez}",
		):
			with self.subTest(search=search):
				self.assertEqual(self.found(search), {ana})

	def test_part_of_an_email(self):
		ana = self.ana.name
		for search in (f"{self.garcia}.77", f"ana.{self.garcia}", self.ana.email, f"{self.garcia}.77@exa"):
			with self.subTest(search=search):
				self.assertEqual(self.found(search), {ana})

	def test_a_mobile_typed_with_spaces_dashes_or_a_country_code(self):
		ana, m = self.ana.name, self.mobile
		for search in (m, dashed(m), f"({m[:3]}) {m[3:6]} {m[6:]}", f"+1 {m}", f"{m[3:6]}-{m[6:]}"):
			with self.subTest(search=search):
				self.assertEqual(self.found(search), {ana})
		# Stored without a country code, typed with one.
		self.assertEqual(self.found(f"+1 {dashed(self.near.mobile)}"), {self.near.name})

	def test_who_is_not_found(self):
		for search in (
			self.garcia[1:],  # the middle of a word
			f"bea {self.lopez}",  # every word typed must match
			f"ana {self.garcia} perez",
			f"{self.garcia[:4]}%",  # wildcards are taken literally
			f"{self.garcia[:3]}_{self.garcia[4:]}",
			f"{self.mobile[:3]} {self.mobile[3:6]}",  # a mobile by its first digits only
			f"{self.mobile[:6]}9999",
		):
			with self.subTest(search=search):
				self.assertEqual(self.found(search) & self.ours(), set())
		self.assertNotIn(self.inside.name, self.found(self.garcia))
		self.assertNotIn(self.near.name, self.found(self.mobile))

	def test_the_search_follows_edits_renames_and_deletions(self):
		ana = frappe.get_doc("Patient", self.ana.name)
		ana.last_name = f"{self.lopez} Ruiz"
		ana.email = "ana.ruiz@example.net"
		ana.save()
		self.assertNotIn(ana.name, self.found(self.garcia))
		self.assertNotIn(ana.name, self.found(f"{self.garcia}.77"))
		self.assertIn(ana.name, self.found(f"{self.lopez} ruiz"))
		self.assertEqual(self.found(f"ana.ruiz {self.lopez}"), {ana.name})

		renamed = frappe.rename_doc("Patient", ana.name, unique("PAT-SEARCH-").upper(), force=True)
		self.assertEqual(self.found(self.lopez), {renamed})
		frappe.delete_doc("Patient", renamed, force=True, ignore_permissions=True)
		self.assertEqual(self.found(self.lopez), set())

	def ours(self) -> set[str]:
		return {self.ana.name, self.bea.name, self.inside.name, self.near.name}


class TestCountsFunnelAndPaging(ReportCase):
	def test_status_cards_count_every_status_and_ignore_the_status_filter(self):
		for _i in range(3):
			self.patient()
		enabled = [self.patient() for _i in range(2)]
		for patient in enabled:
			portal_access.enable(patient.name)
		invited = self.patient()
		self.invite(invited.name)

		cards = self.cards()
		self.assertEqual(cards[AccountStatus.NOT_ENABLED], 3)
		self.assertEqual(cards[AccountStatus.ENABLED], 2)
		self.assertEqual(cards[AccountStatus.INVITED], 1)
		self.assertEqual(cards[AccountStatus.ACTIVE], 0)
		self.assertEqual(self.cards(status=AccountStatus.ENABLED), cards)
		summary = report(search=self.family)["report_summary"]
		colours = {card["label"]: card["indicator"] for card in summary}
		for status, colour in STATUS_COLOURS.items():
			self.assertEqual(colours[status], colour)

	def test_unfiltered_counts_are_cached_until_a_status_changes(self):
		from portal_onboarding.primitives.status import COUNTS_CACHE_KEY, FUNNEL_CACHE_KEY

		frappe.db.rollback()  # no write of this transaction may be waiting to drop the cache at commit
		frappe.cache.delete_value(COUNTS_CACHE_KEY)
		report()
		cached = frappe.cache.get_value(COUNTS_CACHE_KEY, expires=True)
		self.assertEqual(sum(cached.values()), frappe.db.count("Patient"))
		patient = self.patient()
		self.assertIsNone(frappe.cache.get_value(COUNTS_CACHE_KEY, expires=True))
		report()
		self.assertIsNotNone(frappe.cache.get_value(COUNTS_CACHE_KEY, expires=True))
		portal_access.enable(patient.name)
		self.assertIsNone(frappe.cache.get_value(COUNTS_CACHE_KEY, expires=True))
		cards = {c["label"]: c["value"] for c in report()["report_summary"]}
		self.assertEqual(cards[AccountStatus.ENABLED], cached[AccountStatus.ENABLED] + 1)

		# The funnel likewise: an invitation and a first opening of its link each drop it.
		invited_before = cards["Accounts invited"]
		_account, invitation = self.invite(patient.name)
		self.assertEqual(
			{c["label"]: c["value"] for c in report()["report_summary"]}["Accounts invited"],
			invited_before + 1,
		)
		report()
		invitation_api.check_link(activation_key(invitation))
		self.assertIsNone(frappe.cache.get_value(FUNNEL_CACHE_KEY, expires=True))

	def test_funnel_invited_opened_activated(self):
		keys = []
		for _i in range(4):
			patient = self.patient()
			_account, invitation = self.invite(patient.name)
			keys.append((invitation, activation_key(invitation)))
		# Two people open their link, one of them activates.
		for _invitation, key in keys[:2]:
			self.assertTrue(invitation_api.check_link(key)["ok"])
		opened = frappe.db.get_value("Patient Portal Invitation", keys[0][0], "opened_on")
		self.assertIsNotNone(opened)
		invitation_api.check_link(keys[0][1])
		self.assertEqual(frappe.db.get_value("Patient Portal Invitation", keys[0][0], "opened_on"), opened)
		self.assertTrue(accept_link(keys[0][1])["ok"])

		cards = self.cards()
		self.assertEqual(cards["Accounts invited"], 4)
		self.assertEqual(cards["Link opened"], "2 (50.0%)")
		self.assertEqual(cards["Activated"], "1 (25.0%)")

	def test_paging(self):
		for _i in range(101):
			make_patient(last_name=self.family)
		first = report(search=self.family)
		self.assertEqual(len(first["result"]), 100)
		self.assertEqual(first["message"], "Patients 1 to 100 of 101")
		second = report(search=self.family, page=2)
		self.assertEqual(len(second["result"]), 1)
		self.assertEqual(second["message"], "Patients 101 to 101 of 101")
		self.assertFalse({r["patient"] for r in first["result"]} & {r["patient"] for r in second["result"]})
		self.assertEqual(len(report(search=self.family, page_length="500")["result"]), 101)
		self.assertIn("past the last page", report(search=self.family, page=3)["message"])

	def test_a_patient_saved_before_install_counts_as_not_enabled(self):
		patient = self.patient()
		frappe.db.set_value("Patient", patient.name, "portal_status", None)
		self.assertEqual(self.cards()[AccountStatus.NOT_ENABLED], 1)
		self.assertEqual(set(self.rows(status=AccountStatus.NOT_ENABLED)), {patient.name})
		self.assertEqual(self.rows()[patient.name]["portal_status"], AccountStatus.NOT_ENABLED)


class TestIndexes(FrappeTestCase):
	def test_the_report_and_batches_have_their_indexes(self):
		from portal_onboarding.setup.indexes import INDEXES, has_index

		for doctype, _columns, name, _unique in INDEXES:
			self.assertTrue(has_index(doctype, name), f"{doctype}.{name}")

	def test_first_page_and_counts_use_the_status_index(self):
		plan = frappe.db.sql(
			"explain select portal_status, count(*) from `tabPatient` group by portal_status", as_dict=True
		)
		self.assertEqual(plan[0]["key"], "portal_status_patient_name")

	def test_a_search_looks_each_word_up_on_the_word_index(self):
		from portal_onboarding.core.onboarding_report import ReportFilters
		from portal_onboarding.reporting.queries import patient_where
		from portal_onboarding.settings import eligibility_rules

		where = patient_where(ReportFilters(search="ana gar"), eligibility_rules(), with_status=False)
		plan = frappe.db.sql(
			f"explain select portal_status, count(*) from `tabPatient` where {where.sql} group by portal_status",
			where.values,
			as_dict=True,
		)
		words = [row for row in plan if row["table"] == "w"]
		self.assertEqual([(row["type"], row["key"]) for row in words], [("range", "PRIMARY")] * 2)
		self.assertNotIn("ALL", {row["type"] for row in plan if row["table"] == "tabPatient"})
