"""The onboarding report and the patients' ages: who turns adult within 30 days (the filter and its card),
who is now an adult and should be invited to their own account (the reason, the row's invitation and
its card), and who is neither."""

from datetime import date, timedelta

import frappe
from frappe.utils import getdate, today

from portal_onboarding.api import account as account_api
from portal_onboarding.api import invitation as invitation_api
from portal_onboarding.api import onboarding as onboarding_api
from portal_onboarding.constants import ACCOUNT, AccessType, AccountStatus
from portal_onboarding.core.age_policy import TURNING_ADULT_DAYS, add_years, majority_date
from portal_onboarding.core.onboarding_report import EmailAction, ReportFilters
from portal_onboarding.invitations import portal_access, sending
from portal_onboarding.primitives.status import AGES_CACHE_KEY, forget_status_counts
from portal_onboarding.reporting import queries
from portal_onboarding.security.actions import acting
from portal_onboarding.settings import age_policy, eligibility_rules
from tests.integration.factories import accept_link, activation_key, unique
from tests.integration.test_onboarding_report import ReportCase, report

NOW_ADULT = "Now an adult: invite them to their own account."
PARENT_EMAIL = "Now an adult, but their email address is the one their parent's account used"


def day(offset: int = 0) -> date:
	return getdate(today()) + timedelta(days=offset)


def born_to_be_adult_in(days: int) -> date:
	"""The date of birth of someone who reaches the site's age of majority `days` days from today."""
	born = add_years(day(days), -age_policy().majority_age)
	assert majority_date(born, age_policy()) == day(days), born
	return born


class AgesCase(ReportCase):
	def parent(self, patient: str, email: str | None = None) -> str:
		"""A parent's account on the patient, as staff invite one."""
		account, _invitation = sending.invite(
			patient,
			representative={
				"first_name": "Pat",
				"last_name": self.family,
				"email": email or f"{unique('parent')}@example.com",
				"relation": "Parent",
			},
		)
		return account.name

	def child(self, majority_in: int, **kw) -> tuple[str, str]:
		"""A patient who comes of age `majority_in` days from today, and their parent's account, given
		while the patient was a child (for one of age already, 100 days before their majority)."""
		born = born_to_be_adult_in(majority_in)
		with self.freeze_time(day(min(majority_in, 0) - 100), tick=True):
			patient = self.patient(dob=born, **kw).name
			account = self.parent(patient)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "adult_proxy"), 0)
		return patient, account

	def set_account(self, account: str, **values) -> None:
		"""Write fields only the app's own actions may, as those actions do."""
		doc = frappe.get_doc(ACCOUNT, account)
		doc.update(values)
		with acting():
			doc.save(ignore_permissions=True)

	def grown_up(self, came_of_age_days_ago: int = 40, parent_email: str | None = None, **kw) -> str:
		"""A patient registered as a child whose parent's account the daily age job ended at majority.

		The parent was invited a year before the patient came of age; the job's end state (suspended,
		`aged_out_on` set) is written as the job writes it, inside an app action.
		"""
		came_of_age = day(-came_of_age_days_ago)
		with self.freeze_time(came_of_age - timedelta(days=365), tick=True):
			patient = self.patient(dob=add_years(came_of_age, -age_policy().majority_age), **kw).name
			account = self.parent(patient, parent_email)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "adult_proxy"), 0)
		self.age_out(account, came_of_age)
		return patient

	def age_out(self, account: str, came_of_age: date) -> None:
		"""What the daily age job leaves of a parent's account at the patient's majority."""
		self.set_account(account, status=AccountStatus.SUSPENDED, aged_out_on=came_of_age)

	def card(self, label: str, **filters) -> int:
		return self.cards(**filters)[label]

	@property
	def turning_label(self) -> str:
		return f"Turning {age_policy().majority_age} within {TURNING_ADULT_DAYS} days"


class TestTurningAdult(AgesCase):
	def test_the_filter_lists_exactly_the_children_whose_parent_s_access_ends_within_30_days(self):
		in_29, _account = self.child(29)
		tomorrow, _account = self.child(1)
		in_30, _account = self.child(TURNING_ADULT_DAYS)
		# A guardianship of the adult that ends before the 30 days are out ends the access too.
		short_guardian, guardian = self.child(20)
		self.set_account(guardian, guardian_of_adult=1, guardianship_until=day(10))

		# Bystanders.
		in_31, _account = self.child(TURNING_ADULT_DAYS + 1)
		adult_today, _account = self.child(0)
		adult_since, _account = self.child(-200)
		young, _account = self.child(400)
		no_dob, _account = self.child(29)
		patient = frappe.get_doc("Patient", no_dob)
		patient.dob = None
		patient.save(ignore_permissions=True)
		no_representative = self.patient(dob=born_to_be_adult_in(29)).name
		portal_access.enable(no_representative)
		own_proxy, proxy = self.child(29)
		self.set_account(proxy, adult_proxy=1, access_valid_until=day(200))
		lasting_guardian, guardian = self.child(29)
		self.set_account(guardian, guardian_of_adult=1)
		disabled, _account = self.child(29)
		portal_access.disable(disabled)
		suspended, account = self.child(29)
		account_api.suspend(account, "The parent asked us to")

		everyone = self.rows()
		self.assertEqual(len(everyone), 14)
		turning = self.rows(turning_adult=1)
		self.assertEqual(set(turning), {in_29, tomorrow, in_30, short_guardian})
		self.assertNotIn(no_dob, turning)
		for bystander in (in_31, adult_today, adult_since, young, no_representative, own_proxy):
			self.assertNotIn(bystander, turning)
		self.assertNotIn(lasting_guardian, turning)
		# Accounts the age job leaves alone, as they reach nobody: disabled, suspended by staff.
		self.assertNotIn(disabled, turning)
		self.assertNotIn(suspended, turning)

		# The card counts them, with the filter on or off; the other filters narrow both.
		self.assertEqual(self.card(self.turning_label), 4)
		self.assertEqual(self.card(self.turning_label, turning_adult=1), 4)
		self.assertEqual(sum(self.cards(turning_adult=1)[s] for s in AccountStatus.ALL), 4)
		self.assertEqual(report(search=self.family, turning_adult=1)["message"], "Patients 1 to 4 of 4")
		self.assertEqual(set(self.rows(turning_adult=1, status=AccountStatus.INVITED)), set(turning))
		self.assertEqual(self.rows(turning_adult=1, status=AccountStatus.ACTIVE), {})
		one = report(search=f"{self.family} {frappe.db.get_value('Patient', in_29, 'first_name')}")
		self.assertEqual({c["label"]: c["value"] for c in one["report_summary"]}[self.turning_label], 1)

	def test_the_filter_is_a_range_on_the_date_of_birth_index(self):
		where = queries.patient_where(ReportFilters(turning_adult=True), eligibility_rules())
		plan = frappe.db.sql(
			f"explain select `tabPatient`.name from `tabPatient` where {where.sql}"
			" order by `tabPatient`.patient_name limit 100",
			where.values,
			as_dict=True,
		)
		patient = next(row for row in plan if row["table"] == "tabPatient")
		self.assertEqual((patient["type"], patient["key"]), ("range", "portal_dob"))
		accounts = next(row for row in plan if row["table"] == "r")
		self.assertEqual((accounts["type"], accounts["key"]), ("ref", "patient"))


class TestNowAdult(AgesCase):
	def test_a_grown_up_without_an_account_of_their_own_is_to_be_invited_from_their_row(self):
		grown = self.grown_up()
		shared = f"{unique('family')}@example.com"
		parent_email = self.grown_up(200, parent_email=shared, email=shared)
		# Bystanders: grown-ups whose own account is on its way or in use, a child, an adult's proxy.
		invited = self.grown_up(100)
		self.invite(invited)
		active = self.grown_up(300)
		_account, invitation = self.invite(active)
		born = frappe.db.get_value("Patient", active, "dob")
		self.assertTrue(accept_link(activation_key(invitation), dob=str(born))["ok"])
		child, _account = self.child(100)
		adult = self.patient().name
		proxy = self.parent(adult)
		self.assertEqual(frappe.db.get_value(ACCOUNT, proxy, "adult_proxy"), 1)

		rows = self.rows()
		self.assertEqual(len(rows), 6)
		row = rows[grown]
		self.assertEqual(row["reason"], NOW_ADULT)
		self.assertTrue(row["now_adult"])
		# The patient shows their ended parent's status, yet the row's email invites the patient.
		self.assertEqual((row["portal_status"], row["status_colour"]), (AccountStatus.SUSPENDED, "gray"))
		self.assertEqual(row["email_action"], EmailAction.INVITE)

		row = rows[parent_email]
		self.assertTrue(row["reason"].startswith(PARENT_EMAIL), row["reason"])
		self.assertIsNone(row["email_action"])  # never the adult's own invitation to the parent's inbox

		self.assertEqual(rows[invited]["portal_status"], AccountStatus.INVITED)
		self.assertEqual(rows[active]["portal_status"], AccountStatus.ACTIVE)
		self.assertEqual(rows[active]["email_action"], EmailAction.SEND_PASSWORD_RESET)
		for bystander in (invited, active, child, adult):
			self.assertNotIn("Now an adult", rows[bystander]["reason"], bystander)
			self.assertFalse(rows[bystander]["now_adult"])
		self.assertEqual(self.card("Now adults to invite"), 2)

		# The row's invitation: the patient's own account, invited; the row and the card follow at once.
		answer = invitation_api.invite(grown)
		own = frappe.db.get_value(
			ACCOUNT, answer["account"], ["access_type", "patient", "status"], as_dict=True
		)
		self.assertEqual(
			(own.access_type, own.patient, own.status), (AccessType.SELF, grown, AccountStatus.INVITED)
		)
		(row,) = onboarding_api.rows([grown])
		self.assertEqual((row["portal_status"], row["reason"]), (AccountStatus.INVITED, ""))
		self.assertEqual(row["email_action"], EmailAction.RESEND_INVITATION)
		self.assertEqual(self.card("Now adults to invite"), 1)

	def test_a_grown_up_the_patient_record_cannot_invite_yet_says_why(self):
		grown = self.grown_up()
		patient = frappe.get_doc("Patient", grown)
		patient.email = None
		patient.save(ignore_permissions=True)
		row = self.rows()[grown]
		self.assertEqual(row["reason"], f"{NOW_ADULT}; The patient has no email address.")
		self.assertIsNone(row["email_action"])
		self.assertFalse(row["eligible"])

	def test_the_unfiltered_counts_are_cached_for_the_day_until_an_account_or_a_birth_date_changes(self):
		def cards() -> dict:
			return {c["label"]: c["value"] for c in report()["report_summary"]}

		frappe.db.rollback()  # no write of this transaction may be waiting to drop the cache at commit
		frappe.cache.delete_value(AGES_CACHE_KEY)
		before = cards()
		self.assertEqual(
			frappe.cache.get_value(AGES_CACHE_KEY, expires=True)[2:],
			[before[self.turning_label], before["Now adults to invite"]],
		)
		# New patients and their parents' accounts drop it.
		self.grown_up()
		soon, _account = self.child(15)
		after = cards()
		self.assertEqual(after["Now adults to invite"], before["Now adults to invite"] + 1)
		self.assertEqual(after[self.turning_label], before[self.turning_label] + 1)

		# A date of birth corrected on the Patient drops it.
		patient = frappe.get_doc("Patient", soon)
		patient.dob = born_to_be_adult_in(TURNING_ADULT_DAYS + 5)
		patient.save(ignore_permissions=True)
		self.assertEqual(cards()[self.turning_label], before[self.turning_label])

		# Another day counts again: five days on, the corrected birthday is within the 30 days.
		with self.freeze_time(day(5), tick=True):
			everyone = queries.patient_where(ReportFilters(), eligibility_rules(), with_status=False)
			fresh = queries.count_ages(everyone, queries.age_window())
			self.assertEqual(cards()[self.turning_label], fresh[0])
			self.assertEqual(frappe.cache.get_value(AGES_CACHE_KEY, expires=True)[0], str(day()))
			self.assertIn(soon, self.rows(turning_adult=1))
		self.assertEqual(cards()[self.turning_label], before[self.turning_label])

		# The age job ending a parent's access where the patient's status stays (their own account is
		# Enabled) drops it as the job does once it has ended an access.
		grown, account = self.child(-1)
		portal_access.enable(grown)
		self.assertEqual(cards()["Now adults to invite"], after["Now adults to invite"])
		self.age_out(account, day(-1))
		self.assertEqual(frappe.db.get_value("Patient", grown, "portal_status"), AccountStatus.ENABLED)
		forget_status_counts()
		self.assertEqual(cards()["Now adults to invite"], after["Now adults to invite"] + 1)
		self.assertTrue(self.rows()[grown]["now_adult"])
