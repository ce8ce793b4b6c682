"""Credentials given in person to a patient without an email: enabled by a portal admin only, a login
that signs in and reaches only its patient, a username check as the admin types, the clinic's portal
address on the credentials, and an address added later that reset links then reach (and only it)."""

from unittest.mock import patch

from werkzeug.test import Client

import frappe
from frappe.tests.utils import change_settings
from frappe.utils.password import check_password

from portal_onboarding.api import account as account_api
from portal_onboarding.api import invitation as invitation_api
from portal_onboarding.api import password as password_api
from portal_onboarding.constants import (
	ACCOUNT,
	INVITATION,
	MANAGER_ROLE,
	PASSWORD_RESET,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	SETTINGS,
	AccountStatus,
	EventType,
)
from portal_onboarding.core.portal_gate import PORTAL_METHODS
from portal_onboarding.exceptions import IllegalStatusTransition, NotEligible
from portal_onboarding.permissions import portal_grants
from tests.integration.committed import CommittedCase
from tests.integration.factories import (
	JobRecorder,
	in_own_thread,
	make_address,
	make_eligible_patient,
	make_patient,
	make_user,
	queued_mails,
	strong_password,
	unique,
)
from tests.integration.test_account import events
from tests.integration.test_account_management import AccountCase, active_account, reset_key
from tests.site import site_name

S = AccountStatus
API = "/api/method/"
PORTAL_ADDRESS = "https://portal.clinic.example"
NOT_AVAILABLE = "This username is not available. Please choose another."


def patient_without_email(**kw):
	"""A patient with a date of birth and a home ZIP code, and no email."""
	patient = make_patient(email=None, **kw)
	make_address(patient.name)
	return patient


def in_person_account(patient: str) -> str:
	return account_api.enable(patient, in_person=True)["account"]


def mail_queue() -> set[str]:
	return set(frappe.get_all("Email Queue", pluck="name"))


def recipients(mails: set[str]) -> list[str]:
	return sorted(
		frappe.get_all(
			"Email Queue Recipient", filters={"parent": ("in", list(mails) or [""])}, pluck="recipient"
		)
	)


class TestEnableWithoutEmail(AccountCase):
	def test_a_portal_admin_enables_a_patient_without_email_for_credentials_in_person(self):
		patient = patient_without_email()
		result = account_api.enable(patient.name, in_person=True)
		self.assertEqual(result["status"], S.ENABLED)
		self.assert_agree(result["account"], S.ENABLED)
		self.assertEqual(
			frappe.db.get_value(PATIENT, patient.name, PORTAL_ACCESS_FIELD), "Patient Can Access Portal"
		)
		self.assertIsNone(frappe.db.get_value(ACCOUNT, result["account"], "contact_email"))
		enabled = [e for e in events(result["account"]) if e.event_type == EventType.PORTAL_ENABLED]
		self.assertEqual([e.details for e in enabled], ["For credentials given in person"])

	def test_manager_role_enables_in_person_too(self):
		patient = patient_without_email()
		manager, _pw = make_user([MANAGER_ROLE])
		frappe.set_user(manager)
		try:
			account = in_person_account(patient.name)
		finally:
			frappe.set_user("Administrator")
		self.assert_agree(account, S.ENABLED)

	def test_the_home_zip_and_identity_rules_stay_as_the_settings_say(self):
		no_zip = make_patient(email=None)
		with self.assertRaises(NotEligible) as refused:
			account_api.enable(no_zip.name, in_person=True)
		self.assertIn("no home ZIP code", str(refused.exception))
		self.assertNotIn("email", str(refused.exception))
		no_dob = patient_without_email(dob=None)
		with self.assertRaises(NotEligible) as refused:
			account_api.enable(no_dob.name, in_person=True)
		self.assertIn("date of birth", str(refused.exception))
		for patient in (no_zip, no_dob):
			self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": patient.name}))
		with change_settings(SETTINGS, {"require_home_zip": 0, "require_identity_check": 0}):
			self.assert_agree(in_person_account(make_patient(email=None, dob=None).name), S.ENABLED)

	def test_enabling_without_saying_in_person_still_needs_an_email(self):
		patient = patient_without_email()
		with self.assertRaises(NotEligible) as refused:
			account_api.enable(patient.name)
		self.assertIn("no email address", str(refused.exception))
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": patient.name}))

	def test_only_portal_admins_enable_in_person(self):
		patient = patient_without_email()
		nurse, _pw = make_user(["Nursing User"])
		website_user, _pw = make_user(["Patient"])
		manager_elsewhere, _pw = make_user([MANAGER_ROLE])
		other = make_eligible_patient()
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": manager_elsewhere,
				"allow": PATIENT,
				"for_value": other.name,
			}
		).insert(ignore_permissions=True)
		for who in (nurse, website_user, manager_elsewhere):
			frappe.set_user(who)
			try:
				with self.assertRaises(frappe.PermissionError):
					account_api.enable(patient.name, in_person=True)
			finally:
				frappe.set_user("Administrator")
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": patient.name}))
		self.assertEqual(
			frappe.db.get_value(PATIENT, patient.name, PORTAL_ACCESS_FIELD), "No Access to Portal"
		)

	def test_an_invitation_by_email_is_still_refused_and_says_what_to_do(self):
		patient = patient_without_email()
		before = mail_queue()
		with self.assertRaises(NotEligible) as refused:
			invitation_api.invite(patient.name)
		self.assertIn("no email address", str(refused.exception))
		self.assertIn("Set credentials", str(refused.exception))
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": patient.name}), "nothing enabled on the way")

		account = in_person_account(patient.name)
		for channel in ("Email", "Both"):
			with JobRecorder() as jobs, self.assertRaises(NotEligible) as refused:
				invitation_api.invite(patient.name, channel=channel)
			self.assertIn("no email address", str(refused.exception))
			self.assertEqual(jobs.jobs, [])
		self.assertFalse(frappe.db.exists(INVITATION, {"account": account}))
		self.assert_agree(account, S.ENABLED)
		self.assertEqual(mail_queue(), before)


class TestUsernameCheck(AccountCase):
	def test_free_taken_and_invalid_names_without_saying_who_holds_one(self):
		patient = patient_without_email()
		account = in_person_account(patient.name)
		own = frappe.db.get_value(ACCOUNT, account, "username")
		_other_patient, other_account, other_user = active_account()
		held_by_patient = frappe.db.get_value(ACCOUNT, other_account, "username")
		staff, _pw = make_user(["Nursing User"], username=unique("staff."))
		held_by_staff = frappe.db.get_value("User", staff, "username")

		free = unique("pat.")
		self.assertEqual(account_api.check_username(account, free), {"ok": True, "message": "Available"})
		self.assertTrue(account_api.check_username(account, f"  {free.upper()} ")["ok"])
		self.assertTrue(account_api.check_username(account, own)["ok"], "its own name is free for it")
		self.assertTrue(account_api.check_username(account, "")["ok"], "empty keeps its own name")

		answers = [account_api.check_username(account, name) for name in (held_by_patient, held_by_staff)]
		self.assertEqual(answers, [{"ok": False, "message": NOT_AVAILABLE}] * 2)
		for secret in (other_user, staff, other_account, _other_patient):
			self.assertNotIn(secret, str(answers))

		for name, says in (
			("ab", "between 3 and 32"),
			("bad name!", "may only contain"),
			("admin", "reserved"),
		):
			answer = account_api.check_username(account, name)
			self.assertFalse(answer["ok"], name)
			self.assertIn(says, answer["message"])
		self.assertNotIn("<script>", account_api.check_username(account, "<script>")["message"])

		# The check answers what Set credentials then does.
		with self.assertRaises(frappe.ValidationError):
			account_api.set_credentials(account, username=held_by_staff)
		self.assertEqual(account_api.set_credentials(account, username=free)["username"], free)
		self.assertTrue(account_api.check_username(account, free)["ok"], "its own login's name")

	def test_only_portal_admins_of_the_patient_ask_and_portal_logins_never(self):
		patient = patient_without_email()
		account = in_person_account(patient.name)
		nurse, _pw = make_user(["Nursing User"])
		_p, _a, portal_login = active_account()
		manager_elsewhere, _pw = make_user([MANAGER_ROLE])
		other = make_eligible_patient()
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": manager_elsewhere,
				"allow": PATIENT,
				"for_value": other.name,
			}
		).insert(ignore_permissions=True)
		for who in (nurse, portal_login, manager_elsewhere):
			frappe.set_user(who)
			try:
				with self.assertRaises(frappe.PermissionError):
					account_api.check_username(account, unique("pat."))
			finally:
				frappe.set_user("Administrator")
		self.assertNotIn("portal_onboarding.api.account.check_username", PORTAL_METHODS)


class TestPortalAddress(AccountCase):
	def sign_in(self, account: str) -> dict:
		doc = frappe.get_doc(ACCOUNT, account)
		doc.run_method("onload")
		return doc.get_onload()["sign_in"]

	def test_the_credentials_name_the_configured_portal_address(self):
		account = in_person_account(patient_without_email().name)
		with change_settings(SETTINGS, {"portal_base_url": PORTAL_ADDRESS + "/"}):
			self.assertEqual(self.sign_in(account)["portal_url"], f"{PORTAL_ADDRESS}/portal")
		with (
			change_settings(SETTINGS, {"portal_base_url": None}),
			patch.dict(frappe.conf, {"host_name": "https://clinic-host.example"}),
		):
			self.assertEqual(self.sign_in(account)["portal_url"], "https://clinic-host.example/portal")
		with (
			change_settings(SETTINGS, {"portal_base_url": None}),
			patch.dict(frappe.conf, {"host_name": None}),
		):
			self.assertEqual(self.sign_in(account)["portal_url"], f"http://{frappe.local.site}/portal")
		self.assertTrue(self.sign_in(account)["clinic_name"])

	def test_staff_without_the_portal_roles_are_not_told(self):
		account = in_person_account(patient_without_email().name)
		nurse, _pw = make_user(["Nursing User"])
		frappe.set_user(nurse)
		try:
			doc = frappe.get_doc(ACCOUNT, account)
			doc.run_method("onload")
			self.assertNotIn("sign_in", doc.get_onload() or {})
		finally:
			frappe.set_user("Administrator")


class TestEmailAddedLater(AccountCase):
	def given_credentials(self) -> tuple[str, str, str]:
		patient = patient_without_email()
		account = in_person_account(patient.name)
		account_api.set_credentials(account)
		self.assert_agree(account, S.ACTIVE)
		return patient.name, account, frappe.db.get_value(ACCOUNT, account, "user")

	def add_email(self, patient: str, who: str) -> tuple[str, JobRecorder]:
		address = f"{unique('later')}@example.com"
		frappe.set_user(who)
		try:
			with JobRecorder() as jobs:
				doc = frappe.get_doc(PATIENT, patient)
				doc.email = address
				doc.save()
		finally:
			frappe.set_user("Administrator")
		return address, jobs

	def test_an_admin_adds_an_email_and_the_reset_link_reaches_only_that_address(self):
		bystander = make_eligible_patient()
		bystander_account = account_api.enable(bystander.name)["account"]
		patient, account, user = self.given_credentials()
		admin, _pw = make_user([MANAGER_ROLE, "Nursing User"])
		before = mail_queue()
		address, jobs = self.add_email(patient, admin)

		self.assert_agree(account, S.ACTIVE)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "contact_email"), address)
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 1, "the login keeps working")
		added = [e for e in events(account) if e.event_type == EventType.EMAIL_CHANGED]
		self.assertEqual(len(added), 1)
		self.assertEqual(added[0].actor, admin)
		self.assertIn(address, added[0].details)
		self.assertEqual(jobs.jobs, [], "no re-verification link")
		self.assertFalse(frappe.db.exists(INVITATION, {"account": account}))
		self.assertEqual(mail_queue(), before, "nothing mailed until the admin sends a reset link")

		frappe.set_user(admin)
		try:
			account_api.send_password_reset(account)
		finally:
			frappe.set_user("Administrator")
		new_mails = mail_queue() - before
		self.assertEqual(recipients(new_mails), [address])
		for nobody in (admin, bystander.email, frappe.db.get_value("User", user, "email")):
			self.assertNotIn(nobody, recipients(new_mails))
		self.assertFalse(frappe.db.exists(PASSWORD_RESET, {"account": bystander_account}))

		(reset,) = frappe.get_all(PASSWORD_RESET, filters={"account": account}, pluck="name")
		self.assertEqual(queued_mails(reset, PASSWORD_RESET)[0]["recipients"], [address])
		new_password = strong_password()
		with patch.object(frappe.local, "login_manager", create=True) as login:
			self.assertTrue(password_api.reset_password(reset_key(reset), new_password)["ok"])
		login.login_as.assert_called_once_with(user)
		check_password(user, new_password)
		self.assertEqual([g.patient for g in portal_grants(user)], [patient])

	def test_staff_adding_an_email_still_meet_the_guard(self):
		patient, account, user = self.given_credentials()
		nurse, _pw = make_user(["Nursing User"])
		address, jobs = self.add_email(patient, nurse)
		self.assert_agree(account, S.SUSPENDED)
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 0)
		jobs.run()
		(link,) = frappe.get_all(INVITATION, filters={"account": account, "reverification": 1}, pluck="name")
		self.assertEqual(queued_mails(link)[0]["recipients"], [address])
		with self.assertRaises(IllegalStatusTransition):
			account_api.send_password_reset(account)
		self.assertFalse(frappe.db.exists(PASSWORD_RESET, {"account": account}))

	def test_an_admin_changing_an_existing_address_still_meets_the_guard(self):
		patient, account, _user = active_account()
		admin, _pw = make_user([MANAGER_ROLE, "Nursing User"])
		self.add_email(patient, admin)
		self.assert_agree(account, S.SUSPENDED)


def browser() -> tuple[Client, dict]:
	from frappe.app import application

	return Client(application), {"Host": site_name()}


class TestOverHttp(CommittedCase):
	def test_the_login_signs_in_and_reaches_only_its_patient(self):
		patient = self.patient(email=None)
		other = self.patient()
		account = in_person_account(patient.name)
		username, password = unique("pat."), strong_password()
		account_api.set_credentials(account, username, password)
		self.users.append(frappe.db.get_value(ACCOUNT, account, "user"))
		frappe.db.commit()
		new_password = strong_password()

		def work():
			client, headers = browser()
			login = client.post(API + "login", data={"usr": username, "pwd": password}, headers=headers)
			changed = client.post(
				API + "portal_onboarding.api.password.change_password",
				data={"new_password": new_password},
				headers=headers,
			)
			portal = client.get("/portal", headers=headers)
			own = client.get("/portal/personal-details", headers=headers)
			other_record = client.get(f"/api/resource/Patient/{other.name}", headers=headers)
			check = client.post(
				API + "portal_onboarding.api.account.check_username",
				data={"account": account, "username": "anything"},
				headers=headers,
			)
			return [login, changed, portal, own, other_record, check]

		login, changed, portal, own, other_record, check = in_own_thread(work)
		self.assertEqual(login.status_code, 200, login.get_data(as_text=True))
		self.assertTrue(changed.json["message"]["ok"], changed.get_data(as_text=True))
		for page in (portal, own):
			self.assertEqual(page.status_code, 200)
			self.assertIn(patient.patient_name, page.get_data(as_text=True))
			self.assertNotIn(other.patient_name, page.get_data(as_text=True))
		self.assertEqual(other_record.status_code, 403)
		self.assertNotIn(other.patient_name, other_record.get_data(as_text=True))
		self.assertEqual(check.status_code, 403, "a portal login never asks about usernames")

	def test_the_form_names_the_configured_address_whatever_host_the_browser_used(self):
		previous = frappe.db.get_single_value(SETTINGS, "portal_base_url")
		frappe.db.set_single_value(SETTINGS, "portal_base_url", PORTAL_ADDRESS)
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		self.addCleanup(self.restore_address, previous)
		patient = self.patient(email=None)
		account = in_person_account(patient.name)
		admin, admin_password = self.user(["System Manager", MANAGER_ROLE])
		frappe.db.commit()

		def work():
			client, _headers = browser()
			# The site is picked by its own header: Host and the forwarded host are a visitor's to write.
			headers = {
				"Host": "evil.example",
				"X-Forwarded-Host": "evil.example",
				"X-Frappe-Site-Name": site_name(),
			}
			login = client.post(API + "login", data={"usr": admin, "pwd": admin_password}, headers=headers)
			form = client.get(
				API + f"frappe.desk.form.load.getdoc?doctype={ACCOUNT}&name={account}", headers=headers
			)
			return [login, form]

		login, form = in_own_thread(work)
		self.assertEqual(login.status_code, 200, login.get_data(as_text=True))
		(doc,) = form.json["docs"]
		self.assertEqual(doc["__onload"]["sign_in"]["portal_url"], f"{PORTAL_ADDRESS}/portal")
		self.assertNotIn("evil.example", form.get_data(as_text=True))

	def restore_address(self, previous: str | None) -> None:
		frappe.db.rollback()
		frappe.db.set_single_value(SETTINGS, "portal_base_url", previous)
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		frappe.db.commit()
