"""Representatives by age, day by day: the daily job run with an injected clock, the portal reading the
policy before it runs, guardianship and assent; the bystander families are never reached."""

from contextlib import ExitStack, contextmanager
from datetime import date, datetime, timedelta
from unittest.mock import patch

from markupsafe import escape

import frappe
from frappe.tests.utils import change_settings
from frappe.utils import getdate, now_datetime, today

from portal_onboarding.api import account as account_api
from portal_onboarding.api import invitation as invitation_api
from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	PATIENT,
	PORTAL_REASON_FIELD,
	SETTINGS,
	AccessType,
	AccountStatus,
	EventType,
	InvitationStatus,
)
from portal_onboarding.core.age_policy import add_years
from portal_onboarding.exceptions import InvalidAccount
from portal_onboarding.permissions import grants_with_sections
from portal_onboarding.representatives import ages
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	add_session,
	make_eligible_patient,
	queued_mails,
	run_after_commit,
	session_count,
	strong_password,
	unique,
)
from tests.integration.test_invitation_flow import MailTestCase, invite_and_send

S = AccountStatus
BASE = "https://portal.clinic.example"
GIVEN = ["Appointments", "Lab Results", "Prescriptions"]
NOTHING = {"narrowed": 0, "ended": 0, "invited": 0, "failed": 0}
AGE_EVENTS = (EventType.ACCESS_NARROWED_BY_AGE, EventType.ENDED_AT_MAJORITY, EventType.GUARDIANSHIP_ENDED)
# Every module that reads the site's today for the age policy.
SITE_TODAY = ("permissions", "invitations.sending", "representatives.ages", "representatives.guardianship")


@contextmanager
def on_day(day: date):
	"""The site's today is `day` for the portal, the admin actions and the job."""
	with ExitStack() as stack:
		for module in SITE_TODAY:
			stack.enter_context(patch(f"portal_onboarding.{module}.today", return_value=day.isoformat()))
		yield


# Accounts made before the test began (the site's demo families, whose children have birthdays on any
# day the tests move the clock to) are left out of the job's runs; the job's own query still picks.
STARTED: list[datetime] = []


def own_candidates(day: date, policy) -> list[str]:
	picked = REAL_CANDIDATES(day, policy)
	mine = set(frappe.get_all(ACCOUNT, filters={"creation": (">=", STARTED[-1])}, pluck="name"))
	return [name for name in picked if name in mine]


REAL_CANDIDATES = ages.candidates


def run(day: date) -> dict[str, int]:
	"""The daily job on `day`, its after-commit work (sessions, queued jobs) run as a worker would."""
	with JobRecorder() as jobs, patch.object(ages, "candidates", own_candidates):
		counts = ages.apply_age_policy(day=day)
		run_after_commit()
		jobs.run()
	return counts


def sections(account: str) -> list[str]:
	return sorted(row.portal_section for row in frappe.get_doc(ACCOUNT, account).permitted_sections)


def mails(account: str) -> list[dict]:
	return queued_mails(account, ACCOUNT)


def events(account: str, event_type: str) -> list[str]:
	return frappe.get_all(EVENT, filters={"account": account, "event_type": event_type}, pluck="details")


def grants_of(user: str) -> dict[str, object]:
	"""What the portal shows this login, asked as the login itself."""
	frappe.set_user(user)
	try:
		return {grant.patient: grant for grant in grants_with_sections()}
	finally:
		frappe.set_user("Administrator")


class AgeCase(MailTestCase):
	def setUp(self):
		super().setUp()
		self.enterContext(
			change_settings(
				SETTINGS, {"invite_at_majority": 1, "teen_assent_required": 0, "portal_base_url": BASE}
			)
		)
		settings = frappe.get_single(SETTINGS)
		settings.set("partial_access_sections", [{"portal_section": "Appointments"}])
		settings.save()
		self.today = getdate(today())
		STARTED.append(now_datetime() - timedelta(seconds=1))
		self.others = self.bystanders()

	def tearDown(self):
		super().tearDown()
		# The job reads the whole site: one test's families must not be in the next one's run.
		frappe.db.rollback()
		frappe.clear_document_cache(SETTINGS, SETTINGS)

	def born(self, years: int, in_days: int = 0) -> date:
		"""The date of birth of someone who turns `years` in `in_days` days."""
		return add_years(self.today + timedelta(days=in_days), -years)

	def parent_of(
		self,
		child,
		login: tuple[str, str] | None = None,
		existing: bool = False,
		activate: bool = True,
		given: list[str] = GIVEN,
		**rep,
	):
		"""A representative invited the clinic's way and activated through the link (with the child's
		date of birth and ZIP code); `login`: the username and password, `existing`: already a login."""
		rep = {
			"first_name": "Robin",
			"last_name": "Parent",
			"relation": "Parent",
			"email": f"{unique('parent')}@example.com",
			**rep,
		}
		account, invitation, key = invite_and_send(child.name, representative=rep)
		if activate:
			username, password = login or (unique("parent."), strong_password())
			result = accept_link(key, username, password, dob=str(child.dob), existing_login=int(existing))
			self.assertTrue(result["ok"], result)
		account_api.set_permitted_sections(account, given)
		doc = frappe.get_doc(ACCOUNT, account)
		return frappe._dict(account=account, invitation=invitation, user=doc.user, email=rep["email"])

	def child(self, years: int, in_days: int = 0, **kw):
		return make_eligible_patient(dob=self.born(years, in_days), **kw)

	def bystanders(self) -> list:
		"""Another child's parent, and the proxy an adult chose: no run may reach them."""
		parent = self.parent_of(self.child(8))
		proxy = self.parent_of(make_eligible_patient(), first_name="Pax", relation="Spouse or Partner")
		self.assertEqual(frappe.db.get_value(ACCOUNT, proxy.account, "adult_proxy"), 1)
		for person in (parent, proxy):
			add_session(person.user)
		return [parent, proxy]

	def assert_bystanders_untouched(self):
		for person in self.others:
			self.assertEqual(frappe.db.get_value(ACCOUNT, person.account, "status"), S.ACTIVE)
			self.assertEqual(sections(person.account), sorted(GIVEN))
			self.assertEqual(mails(person.account), [])
			# Their invitation is the only mail their address ever got.
			self.assertEqual(frappe.db.count("Email Queue Recipient", {"recipient": person.email}), 1)
			self.assertEqual(session_count(person.user), 1)
			self.assertEqual(frappe.db.get_value("User", person.user, "enabled"), 1)
			self.assertEqual(
				frappe.db.count(EVENT, {"account": person.account, "event_type": ("in", AGE_EVENTS)}), 0
			)

	def assert_notice(self, account: str, email: str, child, *phrases: str) -> str:
		"""One notice to the representative only, about the child by first name, without health data."""
		notices = mails(account)
		self.assertEqual(len(notices), 1, notices)
		self.assertEqual(notices[0]["recipients"], [email])
		html = notices[0]["html"]
		self.assertIn(child.first_name, notices[0]["subject"])
		for phrase in phrases:
			self.assertIn(phrase, html)
		for private in (child.last_name, str(child.dob), child.email, "Lab Results", "Prescriptions"):
			self.assertNotIn(private, html)
		return html


class TestBirthdays(AgeCase):
	def test_the_portal_narrows_on_the_birthday_before_the_job_runs(self):
		child = self.child(12, in_days=1)
		parent = self.parent_of(child)
		self.assertEqual(grants_of(parent.user)[child.name].sections, frozenset(GIVEN))
		with on_day(self.today + timedelta(days=1)):
			self.assertEqual(grants_of(parent.user)[child.name].sections, frozenset({"Appointments"}))
		self.assertEqual(sections(parent.account), sorted(GIVEN))  # stored by the job, not by a read
		self.assertEqual(mails(parent.account), [])

	def test_partial_age_shrinks_on_the_birthday_and_tells_that_parent_only(self):
		child = self.child(12, in_days=1, first_name=f"Léa&{unique('b')}")
		parent = self.parent_of(child)
		other_parent = self.parent_of(child, first_name="Sam", activate=False)  # invited, not active
		self.assertEqual(run(self.today), NOTHING)  # the day before
		self.assertEqual(sections(parent.account), sorted(GIVEN))

		birthday = self.today + timedelta(days=1)
		self.assertEqual(run(birthday), {**NOTHING, "narrowed": 2})
		self.assertEqual(sections(parent.account), ["Appointments"])
		self.assertEqual(sections(other_parent.account), ["Appointments"])
		[detail] = events(parent.account, EventType.ACCESS_NARROWED_BY_AGE)
		self.assertIn("12", detail)
		self.assertIn("Sections kept: Appointments", detail)
		html = self.assert_notice(parent.account, parent.email, child, "Appointments", BASE + "/portal")
		self.assertNotIn("agree", html)
		self.assertIn(str(escape(child.first_name)), html)  # every value escaped where it is inserted
		self.assertNotIn(child.first_name, html)
		self.assertEqual(mails(other_parent.account), [])  # not Active: no notice
		self.assertEqual(frappe.db.get_value(ACCOUNT, parent.account, "status"), S.ACTIVE)
		with on_day(birthday):  # no assent asked: the partial sections open at once
			grant = grants_of(parent.user)[child.name]
			self.assertEqual((grant.sections, grant.awaiting_assent), (frozenset({"Appointments"}), False))

		self.assertEqual(run(birthday), NOTHING)  # a second run the same day changes nothing
		self.assertEqual(len(mails(parent.account)), 1)
		self.assertEqual(len(events(parent.account, EventType.ACCESS_NARROWED_BY_AGE)), 1)
		self.assert_bystanders_untouched()

	def test_a_missing_date_of_birth_gives_the_partial_sections_and_never_ends(self):
		child = self.child(9)
		parent = self.parent_of(child)
		frappe.db.set_value(PATIENT, child.name, "dob", None)
		self.assertEqual(run(self.today), {**NOTHING, "narrowed": 1})
		self.assertEqual(sections(parent.account), ["Appointments"])
		self.assertIn("no date of birth", events(parent.account, EventType.ACCESS_NARROWED_BY_AGE)[0])
		# Years later (before the bystander child's own birthday) nothing ends and nothing widens.
		self.assertEqual(run(self.today + timedelta(days=365 * 3)), NOTHING)
		self.assertEqual(frappe.db.get_value(ACCOUNT, parent.account, "status"), S.ACTIVE)
		self.assertEqual(sections(parent.account), ["Appointments"])  # never widened back
		self.assertEqual(grants_of(parent.user)[child.name].sections, frozenset({"Appointments"}))
		self.assert_bystanders_untouched()

	def test_with_assent_required_the_parent_waits_for_the_teen(self):
		self.enterContext(change_settings(SETTINGS, {"teen_assent_required": 1}))
		child = self.child(12, in_days=1)
		parent = self.parent_of(child)
		with self.assertRaises(InvalidAccount):
			account_api.record_assent(parent.account)  # still 11 today
		birthday = self.today + timedelta(days=1)
		self.assertEqual(run(birthday), {**NOTHING, "narrowed": 1})
		self.assertEqual(sections(parent.account), ["Appointments"])
		self.assert_notice(parent.account, parent.email, child, "agree", BASE + "/portal")
		with on_day(birthday):
			grant = grants_of(parent.user)[child.name]
			self.assertTrue(grant.awaiting_assent)
			self.assertEqual(grant.sections, frozenset())
			account_api.record_assent(parent.account)
			grant = grants_of(parent.user)[child.name]
			self.assertFalse(grant.awaiting_assent)
			self.assertEqual(grant.sections, frozenset({"Appointments"}))
			self.assertEqual(frappe.db.get_value(ACCOUNT, parent.account, "teen_assent_by"), "Administrator")
			account_api.withdraw_assent(parent.account)
			self.assertTrue(grants_of(parent.user)[child.name].awaiting_assent)
		self.assertEqual(len(events(parent.account, EventType.ASSENT_RECORDED)), 1)
		self.assertEqual(len(events(parent.account, EventType.ASSENT_WITHDRAWN)), 1)
		self.assertEqual(run(birthday), NOTHING)
		self.assert_bystanders_untouched()


class TestMajority(AgeCase):
	def test_majority_ends_the_parents_access_and_invites_the_young_adult(self):
		teen = self.child(18, in_days=1)
		younger = self.child(8)
		login = (unique("parent."), strong_password())
		# At 17 the parents already hold only what the partial years allow.
		parent = self.parent_of(teen, login=login, given=["Appointments"])
		self.parent_of(younger, login=login, existing=True, email=parent.email)
		invited = self.parent_of(teen, first_name="Sam", activate=False, given=["Appointments"])
		add_session(parent.user)
		self.assertEqual(run(self.today), NOTHING)

		adult_on = self.today + timedelta(days=1)
		self.assertEqual(run(adult_on), {**NOTHING, "ended": 2, "invited": 1})
		doc = frappe.get_doc(ACCOUNT, parent.account)
		self.assertEqual((doc.status, getdate(doc.aged_out_on)), (S.SUSPENDED, adult_on))
		self.assertIn("now an adult", doc.status_reason)
		self.assertIn("proxy", doc.status_reason)
		self.assertEqual(len(events(parent.account, EventType.ENDED_AT_MAJORITY)), 1)
		self.assertEqual(session_count(parent.user), 0)
		self.assertEqual(frappe.db.get_value("User", parent.user, "enabled"), 1)  # the younger child's
		with on_day(adult_on):
			self.assertEqual(list(grants_of(parent.user)), [younger.name])
		self.assert_notice(parent.account, parent.email, teen, "now an adult")
		# The parent still invited loses the link, and is told.
		self.assertEqual(frappe.db.get_value(ACCOUNT, invited.account, "status"), S.SUSPENDED)
		self.assertEqual(
			frappe.db.get_value(INVITATION, invited.invitation, "status"), InvitationStatus.REVOKED
		)
		self.assert_notice(invited.account, invited.email, teen, "now an adult")
		# The young adult's own invitation, mailed to their own address.
		own = frappe.get_doc(ACCOUNT, {"patient": teen.name, "access_type": AccessType.SELF})
		self.assertEqual(own.status, S.INVITED)
		[invitation] = frappe.get_all(INVITATION, filters={"account": own.name}, pluck="name")
		self.assertEqual(queued_mails(invitation)[0]["recipients"], [teen.email])

		self.assertEqual(run(adult_on), NOTHING)  # idempotent
		self.assertEqual(len(mails(parent.account)), 1)
		self.assertEqual(frappe.db.count(INVITATION, {"account": own.name}), 1)
		self.assert_bystanders_untouched()

	def test_the_young_adults_link_never_goes_to_the_parents_address(self):
		teen = self.child(18, in_days=1)
		parent = self.parent_of(teen, email=teen.email)
		self.assertEqual(run(self.today + timedelta(days=1)), {**NOTHING, "ended": 1})
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": teen.name, "access_type": AccessType.SELF}))
		self.assertIn("parent", frappe.db.get_value(PATIENT, teen.name, PORTAL_REASON_FIELD))
		self.assert_notice(parent.account, parent.email, teen, "now an adult")
		self.assert_bystanders_untouched()

	def test_a_guardianship_keeps_access_past_majority(self):
		adult = self.child(18, in_days=1)
		parent = self.parent_of(adult)
		account_api.record_guardianship(parent.account, document="Court order 2026/114, seen on paper")
		[detail] = events(parent.account, EventType.GUARDIANSHIP_RECORDED)
		self.assertIn("Court order 2026/114", detail)
		adult_on = self.today + timedelta(days=1)
		self.assertEqual(run(adult_on), NOTHING)
		self.assertEqual(frappe.db.get_value(ACCOUNT, parent.account, "status"), S.ACTIVE)
		self.assertEqual(mails(parent.account), [])
		with on_day(adult_on):
			self.assertEqual(grants_of(parent.user)[adult.name].sections, frozenset(GIVEN))
			account_api.end_guardianship(parent.account)  # ended by the admin: the access ends now
		self.assertEqual(frappe.db.get_value(ACCOUNT, parent.account, "status"), S.SUSPENDED)
		self.assertEqual(len(events(parent.account, EventType.GUARDIANSHIP_ENDED)), 1)
		self.assert_bystanders_untouched()

	def test_a_guardianship_that_runs_out_ends_access_the_next_day(self):
		adult = self.child(18, in_days=1)
		parent = self.parent_of(adult)
		last_day = self.today + timedelta(days=1)
		account_api.record_guardianship(parent.account, document="Court order", until=str(last_day))
		self.assertEqual(run(last_day), NOTHING)
		self.assertEqual(run(last_day + timedelta(days=1)), {**NOTHING, "ended": 1, "invited": 1})
		doc = frappe.get_doc(ACCOUNT, parent.account)
		self.assertEqual(doc.status, S.SUSPENDED)
		self.assertIn("guardianship", doc.status_reason)
		self.assertEqual(len(events(parent.account, EventType.GUARDIANSHIP_ENDED)), 1)
		self.assertEqual(events(parent.account, EventType.ENDED_AT_MAJORITY), [])
		self.assert_notice(parent.account, parent.email, adult, "guardianship")
		self.assert_bystanders_untouched()

	def test_an_aged_out_parent_is_not_reactivated_or_invited_without_a_guardianship(self):
		adult = self.child(18, in_days=1)
		parent = self.parent_of(adult)
		adult_on = self.today + timedelta(days=1)
		run(adult_on)
		with on_day(adult_on):
			with self.assertRaises(InvalidAccount) as refused:
				account_api.reactivate(parent.account)
			self.assertIn("guardianship", str(refused.exception))
			rep = {"first_name": "Robin", "email": parent.email, "relation": "Parent"}
			with self.assertRaises(InvalidAccount):
				invitation_api.invite(adult.name, representative=rep)
			account_api.record_guardianship(parent.account, document="Court order")
			self.assertEqual(account_api.reactivate(parent.account)["status"], S.ACTIVE)
		self.assertIsNone(frappe.db.get_value(ACCOUNT, parent.account, "aged_out_on"))
		self.assert_bystanders_untouched()

	def test_the_admin_actions_refuse_what_makes_no_sense(self):
		child = self.child(9)
		parent = self.parent_of(child)
		for kwargs in (
			{"document": " "},
			{"document": "x" * 501},
			{"document": "Order", "until": "2001-01-01"},
		):
			with self.assertRaises(InvalidAccount):
				account_api.record_guardianship(parent.account, **kwargs)
		with self.assertRaises(InvalidAccount):
			account_api.record_assent(parent.account)  # 9: not in the partial years
		own = account_api.enable(make_eligible_patient().name)["account"]
		with self.assertRaises(InvalidAccount):
			account_api.record_guardianship(own, document="Order")  # the patient's own account
		self.assertEqual(events(parent.account, EventType.GUARDIANSHIP_RECORDED), [])

	def test_one_failing_account_does_not_stop_the_run(self):
		first, second = self.child(12, in_days=1), self.child(12, in_days=1)
		broken, fine = self.parent_of(first), self.parent_of(second)
		narrow = ages.narrow

		def breaks_one(account, *args):
			if account.name == broken.account:
				raise RuntimeError("broken")
			return narrow(account, *args)

		with patch.object(ages, "narrow", side_effect=breaks_one):
			counts = run(self.today + timedelta(days=1))
		self.assertEqual(counts, {**NOTHING, "narrowed": 1, "failed": 1})
		self.assertEqual(sections(broken.account), sorted(GIVEN))
		self.assertEqual(sections(fine.account), ["Appointments"])
		self.assertTrue(frappe.db.exists("Error Log", {"reference_name": broken.account}))
		self.assert_bystanders_untouched()
