"""Forgot password on the portal: the same answer whatever is typed, our own single-use link to the
contact address, rate limited, audited; Frappe's own forgot-password endpoint and page lead here.
The request queues a job and the worker sends the mail (test_forgot_password_timing.py)."""

from unittest.mock import patch

import frappe
from frappe.utils.password import check_password

from portal_onboarding.accounts import self_reset
from portal_onboarding.api import account as account_api
from portal_onboarding.api import password as password_api
from portal_onboarding.constants import ACCOUNT, EVENT, PASSWORD_RESET, EventType, ResetStatus
from tests.integration.committed import CommittedCase
from tests.integration.factories import JobRecorder, http_guest, queued_mails, strong_password, unique
from tests.integration.test_account_management import AccountCase, active_account, reset_key
from tests.integration.test_forgot_password_timing import run_as_worker
from tests.integration.test_guest_endpoints import documentation_ip
from tests.site import site_name

API = "/api/method/"


def resets(account: str) -> list[str]:
	return frappe.get_all(PASSWORD_RESET, filters={"account": account}, pluck="name", order_by="creation asc")


class TestForgotPassword(AccountCase):
	def setUp(self):
		super().setUp()
		frappe.cache.delete_keys("portal_onboarding:rl:self_reset:")

	def test_username_or_contact_email_get_our_link_and_the_one_answer(self):
		_patient, account, user = active_account()
		username, contact = frappe.db.get_value(ACCOUNT, account, ["username", "contact_email"])
		with JobRecorder() as jobs:
			answers = [
				password_api.request_reset(f"  {username.upper()} "),
				password_api.request_reset(contact.upper()),
				password_api.request_reset(unique("nobody.")),
				password_api.request_reset(f"{unique('nobody')}@example.com"),
			]
		self.assertEqual(len({frappe.as_json(a) for a in answers}), 1)
		self.assertTrue(answers[0]["ok"])
		self.assertEqual(resets(account), [], "the worker mails, not the request")
		run_as_worker(jobs)

		first, second = resets(account)
		self.assertEqual(frappe.db.get_value(PASSWORD_RESET, first, "status"), ResetStatus.REVOKED)
		(mail,) = queued_mails(second, PASSWORD_RESET)
		self.assertEqual(mail["recipients"], [contact])
		self.assertIn(username, mail["html"])
		self.assertIn("If you did not ask for this", mail["html"])
		details = frappe.get_all(
			EVENT, filters={"account": account}, fields=["event_type"], order_by="creation asc"
		)
		types = [row.event_type for row in details]
		self.assertEqual(types.count(EventType.PASSWORD_RESET_REQUESTED), 2)
		self.assertEqual(types[-2:], [EventType.PASSWORD_RESET_REQUESTED, EventType.PASSWORD_RESET_SENT])

		new_password = strong_password()
		with patch.object(frappe.local, "login_manager", create=True) as login:
			self.assertTrue(password_api.reset_password(reset_key(second), new_password)["ok"])
		login.login_as.assert_called_once_with(user)
		check_password(user, new_password)
		self.assertTrue(password_api.reset_password(reset_key(second), strong_password())["invalid_link"])

	def test_asking_by_username_mails_that_login_and_nobody_else(self):
		# More Active accounts made first than one request may reach: a lookup that lost the username
		# would mail these (oldest first) and never the asker.
		bystanders = [active_account()[1] for _ in range(self_reset.MAX_LOGINS_PER_REQUEST + 1)]
		_patient, account, user = active_account()
		mails_before = frappe.db.count("Email Queue")
		username = frappe.db.get_value(ACCOUNT, account, "username")
		self.assertEqual(self_reset.accounts_for(username), {user: account})
		self.assertEqual(self_reset.request(username), 1)
		(reset,) = resets(account)
		self.assertEqual(len(queued_mails(reset, PASSWORD_RESET)), 1)
		self.assertEqual(frappe.db.count("Email Queue") - mails_before, 1, "one mail, to the asker only")
		for other in bystanders:
			self.assertEqual(resets(other), [], f"{other} got a reset link it never asked for")
		self.assertFalse(
			frappe.db.exists(
				EVENT,
				{"account": ("in", bystanders), "event_type": EventType.PASSWORD_RESET_REQUESTED},
			)
		)

	def test_a_shared_inbox_gets_one_mail_per_login_naming_each(self):
		email = f"{unique('family')}@example.com"
		_p1, first, _u1 = active_account(email=email)
		_p2, second, _u2 = active_account(email=email)
		with JobRecorder() as jobs:
			password_api.request_reset(email)
		run_as_worker(jobs)
		for account in (first, second):
			(reset,) = resets(account)
			username = frappe.db.get_value(ACCOUNT, account, "username")
			self.assertIn(username, queued_mails(reset, PASSWORD_RESET)[0]["html"])

	def test_suspended_accounts_and_blank_input_get_nothing(self):
		_patient, account, _user = active_account()
		username = frappe.db.get_value(ACCOUNT, account, "username")
		account_api.suspend(account, "Lost phone")
		with JobRecorder() as jobs:
			answer = password_api.request_reset(username)
			self.assertEqual(answer, password_api.request_reset(unique("nobody.")))
			self.assertFalse(password_api.request_reset("   ")["ok"])
		self.assertEqual(len(jobs.jobs), 2, "blank input queues nothing")
		run_as_worker(jobs)
		self.assertEqual(resets(account), [])

	def test_each_login_gets_at_most_three_mails_an_hour_and_the_answer_never_changes(self):
		_patient, account, _user = active_account()
		username = frappe.db.get_value(ACCOUNT, account, "username")
		with JobRecorder() as jobs:
			answers = {frappe.as_json(password_api.request_reset(username)) for _ in range(5)}
		self.assertEqual(len(answers), 1)
		run_as_worker(jobs)
		self.assertEqual(len(resets(account)), self_reset.MAILS_PER_LOGIN)


class TestForgotPasswordOverHttp(CommittedCase):
	def tearDown(self):
		super().tearDown()
		frappe.cache.delete_keys("portal_onboarding:rl:self_reset:")

	def test_frappe_forgot_endpoint_answers_alike_and_sends_ours(self):
		patient = self.patient()
		account, user = self.active_login(patient.name)
		self.users.append(user)
		username = frappe.db.get_value(ACCOUNT, account, "username")
		# A website user of the clinic's other portals keeps Frappe's own reset mail.
		customer, _password = self.user(["Customer"], user_type="Website User")
		frappe.db.commit()
		ip = documentation_ip()
		method = API + "frappe.core.doctype.user.user.reset_password"
		with JobRecorder() as jobs:
			known, by_login, unknown, other, get = http_guest(
				site_name(),
				[
					("POST", method, {"user": username}),
					("POST", method, {"user": user}),
					("POST", method, {"user": f"{unique('nobody')}@example.com"}),
					("POST", method, {"user": customer}),
					("GET", API + "portal_onboarding.api.password.request_reset?identifier=x", None),
				],
				remote_addr=ip,
			)
		for response in (known, by_login, unknown, other):
			self.assertEqual(response.status_code, 200)
			self.assertEqual(response.get_json(), unknown.get_json())
		frappe.db.rollback()
		self.assertFalse(frappe.db.get_value("User", customer, "reset_password_key"), "the worker sends it")
		self.assertEqual(resets(account), [])
		run_as_worker(jobs)
		self.assertTrue(frappe.db.get_value("User", customer, "reset_password_key"))
		self.assertFalse(frappe.db.get_value("User", user, "reset_password_key"))
		self.assertIn("Password reset instructions", known.get_json()["_server_messages"])
		self.assertEqual(get.status_code, 403)
		# The username reaches the login; the login's own name (not an address anyone reads) does not.
		self.assertEqual(len(resets(account)), 1)

	def test_one_username_or_address_is_rate_limited(self):
		ip = documentation_ip()
		typed = f"{unique('flood')}@example.com"
		with JobRecorder() as jobs:
			responses = http_guest(
				site_name(),
				[("POST", API + "portal_onboarding.api.password.request_reset", {"identifier": typed})] * 6,
				remote_addr=ip,
			)
		self.assertEqual([r.status_code for r in responses], [200] * 5 + [429])
		self.assertEqual(len(jobs.jobs), 5, "the refused request queues nothing")

	def test_the_sign_in_page_leads_to_our_forgot_password_and_sign_up_pages(self):
		(login,) = http_guest(site_name(), [("GET", "/login", None)], remote_addr=documentation_ip())
		html = login.get_data(as_text=True)
		self.assertEqual(login.status_code, 200)
		self.assertIn('"/portal/forgot-password"', html)
		self.assertIn('"/portal/register"', html)
		for path in ("/portal/forgot-password", "/portal/register"):
			(page,) = http_guest(site_name(), [("GET", path, None)], remote_addr=documentation_ip())
			self.assertEqual(page.status_code, 200, path)
		# Marley's unchecked registration form is unpublished; its old links lead to the verified sign-up.
		(old,) = http_guest(
			site_name(), [("GET", "/patient-registration/new", None)], remote_addr=documentation_ip()
		)
		self.assertEqual(
			(old.status_code, old.headers["Location"].split("://")[-1].split("/", 1)[-1]),
			(302, "portal/register"),
		)
