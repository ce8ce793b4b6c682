"""The test site as a clinic's: thousands of patients in every status, Marley's logins, an earlier version
of the app upgraded in place, families sharing inboxes and carers of several patients (tests/bench)."""

from collections import Counter

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.password import update_password

from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	PATIENT,
	PORTAL_STATUS_FIELD,
	SECTION,
	AccountStatus,
	EventType,
	InvitationStatus,
)
from portal_onboarding.core.portal import SECTION_ROUTES
from portal_onboarding.core.upkeep import DEFAULT_SECTIONS
from portal_onboarding.core.usernames import check_username
from portal_onboarding.permissions import portal_grants
from portal_onboarding.reporting.report import rows_for
from portal_onboarding.settings import age_policy, get_settings, proxy_max_months
from tests.integration.factories import accept_link, http_as
from tests.site import lived_in, site_name, upgraded

MIN_PATIENTS = 2000


def sections_of(account: str) -> list[str]:
	return sorted(frappe.get_all(SECTION, filters={"parent": account}, pluck="portal_section"))


def sees(user: str, password: str, *texts: str) -> list:
	"""Sign in over HTTP and open /portal; asserts each text is on the page; returns the responses."""
	login, home = http_as(site_name(), user, password, [("GET", "/portal")])
	assert login.status_code == 200, login.get_data(as_text=True)[-300:]
	body = home.get_data(as_text=True)
	assert home.status_code == 200, body[-300:]
	for text in texts:
		assert text in body, f"{text!r} not on {user}'s portal"
	return body


def assert_marley_logins_granted(case: FrappeTestCase) -> None:
	"""Each Marley login holds an Active Self account on its own patient, with its username where that
	is a valid one, the default sections and a migration event; none was skipped."""
	for login in lived_in()["marley_logins"]:
		account = frappe.db.get_value(
			ACCOUNT,
			{"patient": login["patient"], "user": login["user"]},
			["name", "status", "username"],
			as_dict=True,
		)
		case.assertEqual(account.status, AccountStatus.ACTIVE, login)
		if login["username"] and not check_username(login["username"]):
			case.assertEqual(account.username, login["username"])
		case.assertEqual([g.patient for g in portal_grants(login["user"])], [login["patient"]])
		case.assertEqual(sections_of(account.name), sorted(DEFAULT_SECTIONS))
		case.assertTrue(
			frappe.db.exists(EVENT, {"account": account.name, "event_type": EventType.ACCOUNT_MIGRATED})
		)
	case.assertFalse(frappe.db.exists(EVENT, {"event_type": EventType.MIGRATION_SKIPPED}))


class TestALivedInSite(FrappeTestCase):
	def test_thousands_of_patients_in_every_portal_status(self):
		self.assertGreaterEqual(frappe.db.count(PATIENT), MIN_PATIENTS)
		counts = Counter(frappe.get_all(PATIENT, pluck=PORTAL_STATUS_FIELD))
		for status in AccountStatus.ALL:
			self.assertGreater(counts[status], 0, f"no patient is {status}")

	def test_a_shared_inbox_holds_more_active_logins_than_one_request_may_reach(self):
		family = lived_in()["family_inbox"]
		active = frappe.get_all(
			ACCOUNT, filters={"contact_email": family["email"], "status": AccountStatus.ACTIVE}, pluck="user"
		)
		self.assertGreater(len(set(active)), 5)

	def test_a_carer_reaches_three_patients_through_one_login(self):
		carer = lived_in()["carer"]
		users = {frappe.db.get_value(ACCOUNT, row["account"], "user") for row in carer["patients"]}
		self.assertEqual(len(users), 1)
		self.assertEqual(
			sorted(g.patient for g in portal_grants(users.pop())),
			sorted(r["patient"] for r in carer["patients"]),
		)
		# Invited by staff for adults: those adults' proxies, until the default end date.
		for row in carer["patients"]:
			proxy, until = frappe.db.get_value(ACCOUNT, row["account"], ["adult_proxy", "access_valid_until"])
			self.assertEqual(proxy, 1)
			self.assertIsNotNone(until)


class TestMarleyLoginsAtUpgrade(FrappeTestCase):
	"""Logins Marley's Invite as User made before the app came: migrated by the upgrade's patch."""

	def test_every_marley_login_got_its_patient_and_kept_its_username(self):
		logins = lived_in()["marley_logins"]
		self.assertTrue(any(login["username"] == "rosa" for login in logins), logins)
		assert_marley_logins_granted(self)
		self.assertFalse(frappe.db.exists("Error Log", {"method": ("like", "%was not migrated%")}))

	def test_a_login_whose_patient_email_staff_changed_gets_nothing(self):
		changed = lived_in()["marley_login_not_granted"]
		self.assertEqual(portal_grants(changed["user"]), [])
		self.assertFalse(frappe.db.exists(ACCOUNT, {"user": changed["user"]}))

	def test_a_marley_login_signs_in_and_sees_its_patient_and_its_sections(self):
		login = lived_in()["marley_logins"][0]
		password = "Marley-Login-Passw0rd!"
		update_password(login["user"], password)  # as Frappe's welcome mail has the patient do
		frappe.db.commit()
		name = frappe.db.get_value(PATIENT, login["patient"], "patient_name")
		sees(login["user"], password, name, *(f"/portal/{route}" for route in SECTION_ROUTES.values()))


class TestUpgradeFromAnEarlierVersion(FrappeTestCase):
	"""Data made through the first version where invitations worked, then `bench migrate` to this one."""

	def test_the_age_policy_has_its_defaults_after_the_upgrade(self):
		# Patches earlier in the same migrate save the whole settings, storing the new fields unticked
		# and empty before the policy's own patch runs: that patch gives the defaults all the same.
		policy = age_policy()
		self.assertEqual(
			(policy.partial_age, policy.majority_age, policy.partial_sections, policy.assent_required),
			(12, 18, frozenset({"Appointments"}), False),
		)
		self.assertEqual((get_settings().invite_at_majority, proxy_max_months()), (1, 18))

	def test_representatives_the_earlier_version_gave_adults_are_kept_as_their_proxies(self):
		for account in upgraded()["representative"]["accounts"]:
			self.assertEqual(frappe.db.get_value(ACCOUNT, account, "adult_proxy"), 1)
			self.assertTrue(
				frappe.db.exists(
					EVENT,
					{
						"account": account,
						"event_type": EventType.ACCESS_CHANGED,
						"details": ("like", "Kept as a proxy of an adult patient%"),
					},
				)
			)

	def test_statuses_and_audit_rows_are_kept_and_the_report_shows_them(self):
		before = upgraded()["accounts"]
		for account, was in before.items():
			self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), was["status"], account)
			self.assertGreaterEqual(frappe.db.count(EVENT, {"account": account}), was["events"], account)
			patient = frappe.db.get_value(ACCOUNT, account, "patient")
			(row,) = rows_for([patient])
			if frappe.db.get_value(ACCOUNT, account, "access_type") == "Self":
				self.assertEqual(row["portal_status"], was["status"])

	def test_accounts_made_before_defaults_got_them_audited(self):
		data = upgraded()
		for account in (data["self"]["account"], *data["representative"]["accounts"]):
			self.assertEqual(sections_of(account), sorted(DEFAULT_SECTIONS), account)
			details = frappe.get_all(
				EVENT, filters={"account": account, "event_type": EventType.ACCESS_CHANGED}, pluck="details"
			)
			self.assertTrue(any(d.startswith("Permitted Portal Sections: - →") for d in details), details)

	def test_the_activated_logins_still_sign_in_and_see_their_patients(self):
		data = upgraded()
		self_name = frappe.db.get_value(PATIENT, data["self"]["patient"], "patient_name")
		sees(data["self"]["username"], data["password"], self_name, "/portal/appointments")
		children = [
			frappe.db.get_value(PATIENT, p, "patient_name") for p in data["representative"]["patients"]
		]
		sees(data["representative"]["username"], data["password"], *children)

	def test_the_pending_link_mailed_by_the_earlier_version_still_activates(self):
		pending = upgraded()["pending"]
		self.assertEqual(
			frappe.db.get_value(INVITATION, pending["invitation"], "status"), InvitationStatus.SENT
		)
		zip_code = frappe.db.get_value(PATIENT, pending["patient"], "portal_home_zip")
		outcome = accept_link(pending["key"], username="penny.after", dob="1980-02-03", zip_code=zip_code)
		self.assertTrue(outcome["ok"], outcome)
		account = frappe.db.get_value(ACCOUNT, pending["account"], ["status", "user"], as_dict=True)
		self.assertEqual(account.status, AccountStatus.ACTIVE)
		self.assertEqual(sections_of(pending["account"]), sorted(DEFAULT_SECTIONS))
		self.assertEqual([g.patient for g in portal_grants(account.user)], [pending["patient"]])
		# Rolled back with the test: the next run's site is made anew anyway.

	def test_an_upgraded_site_trusts_only_benchs_own_proxy_and_mails_from_its_address(self):
		from portal_onboarding.constants import SETTINGS
		from portal_onboarding.security.mailed_links import configured_base_url

		self.assertEqual(frappe.db.get_single_value(SETTINGS, "trusted_proxies"), "127.0.0.1\n::1")
		self.assertEqual(configured_base_url(), f"http://{site_name()}")
