from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase, change_settings
from frappe.utils import add_to_date, now_datetime

from portal_onboarding.api import account as account_api
from portal_onboarding.api import invitation as invitation_api
from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	PORTAL_REASON_FIELD,
	PORTAL_STATUS_FIELD,
	SETTINGS,
	AccessType,
	AccountStatus,
	EventType,
	InvitationStatus,
)
from portal_onboarding.core.tokens import hash_token
from portal_onboarding.exceptions import InvalidInvitation, NotEligible
from portal_onboarding.invitations import activation, delivery, portal_access
from portal_onboarding.permissions import portal_grants
from tests.integration.bystanders import Untouched
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	confirm_identity,
	ensure_outgoing_email_account,
	make_eligible_patient,
	make_patient,
	make_user,
	queued_mails,
	strong_password,
	unique,
)

IDENTITY_ON = {"require_email": 1, "require_home_zip": 1, "require_identity_check": 1, "send_sms_notice": 0}


class MailTestCase(Untouched, FrappeTestCase):
	"""Settings with every check on, and an outgoing Email Account, for each test; none of the site's
	bystanders may be reached (bystanders.py)."""

	def setUp(self):
		super().setUp()
		self.enterContext(change_settings(SETTINGS, IDENTITY_ON))
		ensure_outgoing_email_account()


def event_types(patient: str) -> list[str]:
	return frappe.get_all(EVENT, filters={"patient": patient}, pluck="event_type", order_by="creation asc")


def invite_and_send(patient: str, **kw) -> tuple[str, str, str]:
	"""Invite, run the delivery job, and return (account, invitation, key from the email)."""
	with JobRecorder() as jobs:
		result = invitation_api.invite(patient, **kw)
		jobs.run()
	return result["account"], result["invitation"], activation_key(result["invitation"])


class TestEnableAndDisable(MailTestCase):
	def test_ineligible_patient_gets_every_reason_and_nothing_is_made(self):
		patient = make_patient(email=None)
		with self.assertRaises(NotEligible) as ctx:
			account_api.enable(patient.name)
		message = str(ctx.exception)
		self.assertIn("no email address", message)
		self.assertIn("no home ZIP code", message)
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": patient.name}))
		self.assertEqual(
			frappe.db.get_value(PATIENT, patient.name, PORTAL_ACCESS_FIELD), "No Access to Portal"
		)

	def test_unknown_patient_is_refused(self):
		with self.assertRaises(frappe.DoesNotExistError):
			portal_access.enable("no-such-patient")

	def test_enable_gives_access_and_audits(self):
		patient = make_eligible_patient()
		result = account_api.enable(patient.name)
		self.assertEqual(result["status"], AccountStatus.ENABLED)
		self.assertEqual(
			frappe.db.get_value(PATIENT, patient.name, PORTAL_ACCESS_FIELD), "Patient Can Access Portal"
		)
		self.assertEqual(
			frappe.db.get_value(PATIENT, patient.name, PORTAL_STATUS_FIELD), AccountStatus.ENABLED
		)
		self.assertIn(EventType.PORTAL_ENABLED, event_types(patient.name))

	def test_website_user_cannot_call_admin_apis(self):
		patient = make_eligible_patient()
		email, _password = make_user(["Patient"])
		frappe.set_user(email)
		try:
			for call in (
				lambda: account_api.enable(patient.name),
				lambda: account_api.disable(patient.name),
				lambda: invitation_api.invite(patient.name),
			):
				with self.assertRaises(frappe.PermissionError):
					call()
		finally:
			frappe.set_user("Administrator")
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": patient.name}))

	def test_disable_revokes_links_and_retires_the_login(self):
		patient = make_eligible_patient()
		account, _invitation, key = invite_and_send(patient.name)
		self.assertTrue(accept_link(key)["ok"])
		user = frappe.db.get_value(ACCOUNT, account, "user")
		frappe.db.sql(
			"insert into `tabSessions` (user, sid, sessiondata, lastupdate, status)"
			" values (%s, %s, '{}', now(), 'Active')",
			(user, unique("sid")),
		)

		with patch.object(frappe.db, "commit"):
			account_api.disable(patient.name)

		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), AccountStatus.NOT_ENABLED)
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 0)
		self.assertFalse(frappe.db.exists("Sessions", {"user": user}))
		self.assertEqual(
			frappe.db.get_value(PATIENT, patient.name, PORTAL_STATUS_FIELD), AccountStatus.NOT_ENABLED
		)
		self.assertIn(EventType.PORTAL_DISABLED, event_types(patient.name))
		self.assertEqual(portal_grants(user), [])


class TestInvitation(MailTestCase):
	def test_invite_queues_after_commit_and_mail_carries_a_single_use_link(self):
		patient = make_eligible_patient()
		with JobRecorder() as jobs:
			result = invitation_api.invite(patient.name)
			self.assertEqual(jobs.methods(), ["portal_onboarding.jobs.deliver_invitation"])
			self.assertEqual(
				frappe.db.get_value(INVITATION, result["invitation"], "status"), InvitationStatus.QUEUED
			)
			self.assertEqual(queued_mails(result["invitation"]), [])
			jobs.run()
		invitation = frappe.get_doc(INVITATION, result["invitation"])
		self.assertEqual(invitation.status, InvitationStatus.SENT)
		mails = queued_mails(invitation.name)
		self.assertEqual(len(mails), 1)
		self.assertEqual(mails[0]["recipients"], [patient.email])
		self.assertIn("patient portal", mails[0]["subject"])
		key = activation_key(invitation.name)
		self.assertGreaterEqual(len(key), 43)
		self.assertEqual(invitation.token_hash, hash_token(key))
		self.assertFalse(frappe.db.exists(INVITATION, {"token_hash": key}))
		self.assertEqual(frappe.db.get_value(ACCOUNT, result["account"], "status"), AccountStatus.INVITED)
		self.assertEqual(
			frappe.db.get_value(PATIENT, patient.name, PORTAL_STATUS_FIELD), AccountStatus.INVITED
		)
		self.assertIn(EventType.INVITATION_SENT, event_types(patient.name))

	def test_expiry_follows_the_settings(self):
		patient = make_eligible_patient()
		with change_settings(SETTINGS, {"invitation_lifetime_hours": 5}):
			_account, invitation, _key = invite_and_send(patient.name)
		expires_on = frappe.db.get_value(INVITATION, invitation, "expires_on")
		self.assertLessEqual(abs((expires_on - add_to_date(now_datetime(), hours=5)).total_seconds()), 120)

	def test_double_click_leaves_exactly_one_live_invitation(self):
		patient = make_eligible_patient()
		with JobRecorder():
			first = invitation_api.invite(patient.name)
			second = invitation_api.invite(patient.name)
		self.assertEqual(first, second)
		live = frappe.get_all(
			INVITATION, filters={"patient": patient.name, "status": ("in", InvitationStatus.LIVE)}
		)
		self.assertEqual(len(live), 1)
		self.assertEqual(frappe.db.count(ACCOUNT, {"patient": patient.name}), 1)

	def test_resend_revokes_the_previous_link(self):
		patient = make_eligible_patient()
		_account, first, first_key = invite_and_send(patient.name)
		_account, second, second_key = invite_and_send(patient.name)
		self.assertNotEqual(first, second)
		self.assertEqual(frappe.db.get_value(INVITATION, first, "status"), InvitationStatus.REVOKED)
		self.assertIsNone(activation.find_invitation(first_key))
		self.assertIsNotNone(activation.find_invitation(second_key))
		types = event_types(patient.name)
		self.assertIn(EventType.INVITATION_RESENT, types)
		self.assertIn(EventType.INVITATION_REVOKED, types)

	def test_send_failure_is_recorded_and_retried(self):
		patient = make_eligible_patient()
		broken = frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": unique("Broken "),
				"subject": "{{ 1 // 0 }}",
				"response": "x",
			}
		).insert()
		with change_settings(SETTINGS, {"invitation_email_template": broken.name}):
			account, invitation, *_ = self._invite_without_key(patient.name)
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "status"), InvitationStatus.FAILED)
		self.assertTrue(frappe.db.get_value(INVITATION, invitation, "failure_reason"))
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), AccountStatus.INVITE_FAILED)
		self.assertIn(EventType.INVITATION_FAILED, event_types(patient.name))
		self.assertIn("division", frappe.db.get_value(PATIENT, patient.name, PORTAL_REASON_FIELD))

		with patch.object(frappe.db, "commit"):
			delivery.retry_failed()
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "status"), InvitationStatus.SENT)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), AccountStatus.INVITED)
		self.assertEqual(len(queued_mails(invitation)), 1)
		self.assertIsNone(frappe.db.get_value(PATIENT, patient.name, PORTAL_REASON_FIELD))

	def _invite_without_key(self, patient: str) -> tuple[str, str]:
		with JobRecorder() as jobs:
			result = invitation_api.invite(patient)
			jobs.run()
		return result["account"], result["invitation"]

	def test_jobs_for_records_deleted_meanwhile_do_nothing(self):
		from portal_onboarding import jobs

		jobs.deliver_invitation("PPI-does-not-exist")
		jobs.send_sms_notice("PPI-does-not-exist")
		jobs.onboard_patient("no-such-patient", invite=True)
		self.assertFalse(frappe.db.exists(EVENT, {"patient": "no-such-patient"}))

	def test_bad_input_is_refused_clearly(self):
		patient = make_eligible_patient()
		with self.assertRaises(InvalidInvitation):
			invitation_api.invite(patient.name, channel="Pigeon")
		with self.assertRaises(InvalidInvitation) as ctx:
			invitation_api.invite(patient.name, channel="SMS")
		self.assertIn("email first", str(ctx.exception))
		with self.assertRaises(InvalidInvitation) as ctx:
			invitation_api.invite(
				patient.name,
				representative={"first_name": "Mum", "email": "not-an-email", "relation": "Parent"},
			)
		self.assertIn("not valid", str(ctx.exception))
		with self.assertRaises(InvalidInvitation):
			invitation_api.invite(patient.name, representative="{not json")
		with self.assertRaises(InvalidInvitation):
			invitation_api.invite(patient.name, representative='["a list"]')
		self.assertFalse(
			frappe.db.exists(ACCOUNT, {"patient": patient.name, "access_type": AccessType.REPRESENTATIVE})
		)


class TestActivation(MailTestCase):
	def setUp(self):
		super().setUp()
		self.patient = make_eligible_patient(dob="2012-04-03", pincode="SW1A 1AA")
		self.account, self.invitation, self.key = invite_and_send(self.patient.name)

	def accept(self, key=None, username=None, password=None, dob="2012-04-03", zip_code="sw1a1aa"):
		if dob:
			confirm_identity(key or self.key, dob, zip_code)
		with patch.object(frappe.local, "login_manager", create=True) as login_manager:
			result = invitation_api.accept(
				key or self.key, username or unique("pat."), password or strong_password()
			)
		return result, login_manager

	def test_garbage_and_missing_keys_get_the_one_answer(self):
		answers = {
			str(invitation_api.accept(key, "someone", strong_password()))
			for key in ("", "garbage", "x" * 43, "x" * 500)
		}
		self.assertEqual(len(answers), 1)
		self.assertIn("ask your clinic for a new one", answers.pop())

	def test_expired_link_gets_the_same_answer(self):
		frappe.db.set_value(INVITATION, self.invitation, "expires_on", add_to_date(now_datetime(), hours=-1))
		result, _login = self.accept()
		self.assertTrue(result["invalid_link"])
		with patch.object(frappe.db, "commit"):
			delivery.expire_overdue()
		self.assertEqual(frappe.db.get_value(INVITATION, self.invitation, "status"), InvitationStatus.EXPIRED)
		self.assertEqual(frappe.db.get_value(ACCOUNT, self.account, "status"), AccountStatus.INVITE_EXPIRED)

	def test_three_wrong_identity_answers_revoke_the_link(self):
		for attempt in range(3):
			result = invitation_api.verify_identity(self.key, "2012-04-04", "SW1A 1AA")
			self.assertFalse(result["ok"])
			self.assertEqual(result["invalid_link"], attempt == 2)
		self.assertEqual(frappe.db.get_value(INVITATION, self.invitation, "status"), InvitationStatus.REVOKED)
		self.assertEqual(event_types(self.patient.name).count(EventType.IDENTITY_CHECK_FAILED), 3)
		result, _login = self.accept()
		self.assertTrue(result["invalid_link"])

	def test_activation_creates_the_login_and_uses_the_link_up(self):
		self.assertTrue(invitation_api.verify_identity(self.key, "2012-04-03", "sw1a 1aa")["ok"])
		username = unique("pat.")
		password = strong_password()
		result, login_manager = self.accept(username=username, password=password)
		self.assertTrue(result["ok"], result)
		self.assertEqual(result["redirect_to"], "/portal")

		account = frappe.get_doc(ACCOUNT, self.account)
		self.assertEqual(account.status, AccountStatus.ACTIVE)
		self.assertEqual(account.username, username)
		login_manager.login_as.assert_called_once_with(account.user)
		user = frappe.get_doc("User", account.user)
		self.assertEqual(user.user_type, "Website User")
		self.assertEqual(user.username, username)
		roles = [r.role for r in user.roles]
		self.assertIn("Patient", roles)
		self.assertFalse(frappe.get_all("Role", filters={"name": ("in", roles), "desk_access": 1}))
		self.assertTrue(user.email.endswith("@portal.invalid"))
		invitation = frappe.get_doc(INVITATION, self.invitation)
		self.assertEqual(invitation.status, InvitationStatus.ACCEPTED)
		self.assertIsNone(invitation.token_hash)
		self.assertIn(EventType.ACCOUNT_ACTIVATED, event_types(self.patient.name))
		self.assertEqual([g.patient for g in portal_grants(user.name)], [self.patient.name])

		from frappe.core.doctype.user.user import User

		self.assertEqual(User.find_by_credentials(username, password).name, user.name)
		again, _login = self.accept()
		self.assertTrue(again["invalid_link"])

	def test_weak_password_and_taken_username_are_refused(self):
		taken = make_eligible_patient()
		taken_account = frappe.get_doc(ACCOUNT, portal_access.enable(taken.name).name)
		with change_settings("System Settings", {"enable_password_policy": 1, "minimum_password_score": 3}):
			result, _login = self.accept(password="password1")
		self.assertFalse(result["ok"])
		self.assertIn("password", result["message"].lower())
		result, _login = self.accept(username=taken_account.username)
		self.assertFalse(result["ok"])
		self.assertIn("not available", result["message"])
		result, _login = self.accept(username="no spaces allowed")
		self.assertFalse(result["ok"])
		self.assertIn("Username", result["message"])
		self.assertEqual(frappe.db.get_value(ACCOUNT, self.account, "status"), AccountStatus.INVITED)
		self.assertIsNotNone(activation.find_invitation(self.key))


class TestSharedContacts(MailTestCase):
	def test_two_patients_sharing_an_email_each_get_their_own_login(self):
		shared = f"{unique('family')}@example.com"
		logins = []
		for dob in ("2010-01-01", "2012-02-02"):
			patient = make_eligible_patient(email=shared, mobile="+15555550100", dob=dob)
			_account, _invitation, key = invite_and_send(patient.name)
			username = unique("kid.")
			result = accept_link(key, username, dob=dob)
			self.assertTrue(result["ok"], result)
			logins.append((patient.name, username, frappe.db.get_value(ACCOUNT, _account, "user")))
		users = {user for _p, _u, user in logins}
		self.assertEqual(len(users), 2)
		for patient, username, user in logins:
			self.assertEqual(frappe.db.get_value("User", user, "username"), username)
			self.assertNotEqual(frappe.db.get_value("User", user, "email"), shared)
			self.assertEqual([g.patient for g in portal_grants(user)], [patient])

	def test_representative_of_three_children_keeps_one_login_each_grant_by_its_own_link(self):
		email = f"{unique('parent')}@example.com"
		children = [make_eligible_patient(dob="2015-06-0" + str(i + 1)) for i in range(3)]
		accounts, keys = [], []
		for child in children:
			account, _invitation, key = invite_and_send(
				child.name,
				representative={
					"first_name": "Pat",
					"last_name": "Parent",
					"email": email,
					"relation": "Parent",
				},
			)
			accounts.append(account)
			keys.append(key)
		username, password = unique("parent."), strong_password()
		self.assertTrue(accept_link(keys[0], username, password, dob="2015-06-01")["ok"])
		user = frappe.db.get_value(ACCOUNT, accounts[0], "user")
		self.assertTrue(user.endswith("@portal.invalid"))
		# The first link grants its own patient only: the others wait for their own links.
		self.assertEqual([g.patient for g in portal_grants(user)], [children[0].name])
		self.assertEqual(frappe.db.get_value(ACCOUNT, accounts[1], "status"), AccountStatus.INVITED)
		self.assertIsNotNone(activation.find_invitation(keys[1]))

		for key, dob in ((keys[1], "2015-06-02"), (keys[2], "2015-06-03")):
			result = accept_link(key, username, password, dob=dob, existing_login=1)
			self.assertTrue(result["ok"], result)
		self.assertEqual(sorted(g.patient for g in portal_grants(user)), sorted(c.name for c in children))
		for key in keys:
			self.assertIsNone(activation.find_invitation(key))


class TestPatientHooks(MailTestCase):
	def test_toggle_on_a_new_patient_invites_after_commit(self):
		mails, users = frappe.db.count("Email Queue"), frappe.db.count("User")
		with JobRecorder() as jobs:
			patient = make_eligible_patient(send_portal_invitation=1)
			self.assertEqual(jobs.methods(), ["portal_onboarding.jobs.onboard_patient"])
			# The save itself sent nothing, made no login and no invitation: all of that waits for the job.
			self.assertFalse(frappe.db.exists(INVITATION, {"patient": patient.name}))
			self.assertEqual(frappe.db.count("Email Queue"), mails)
			self.assertEqual(frappe.db.count("User"), users)
			jobs.run()
		self.assertEqual(frappe.db.count("Email Queue"), mails + 1)
		invitation = frappe.db.get_value(INVITATION, {"patient": patient.name}, "name")
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "status"), InvitationStatus.SENT)
		self.assertEqual(frappe.db.get_value(PATIENT, patient.name, "send_portal_invitation"), 0)

	def test_marley_invite_as_user_is_taken_over(self):
		email = f"{unique('marley')}@example.com"
		with JobRecorder() as jobs:
			patient = make_patient(email=email, invite_user=1)
		self.assertFalse(frappe.db.exists("User", email))
		self.assertFalse(frappe.db.get_value(PATIENT, patient.name, "user_id"))
		self.assertEqual(jobs.methods(), ["portal_onboarding.jobs.onboard_patient"])

	def test_toggle_on_an_existing_patient_invites(self):
		patient = make_eligible_patient()
		with JobRecorder() as jobs:
			patient.reload()
			patient.send_portal_invitation = 1
			patient.save()
		self.assertEqual(jobs.methods(), ["portal_onboarding.jobs.onboard_patient"])

	def test_ineligible_patient_saves_and_shows_the_reason(self):
		with JobRecorder() as jobs:
			patient = make_patient(email=None, send_portal_invitation=1)
			jobs.run()
		reason = frappe.db.get_value(PATIENT, patient.name, PORTAL_REASON_FIELD)
		self.assertIn("no email address", reason)
		self.assertFalse(frappe.db.exists(INVITATION, {"patient": patient.name}))

	@change_settings(SETTINGS, {"auto_enable_manual_patients": 1})
	def test_auto_enable_enables_without_inviting(self):
		with JobRecorder() as jobs:
			patient = make_eligible_patient()
			jobs.run()
		self.assertEqual(
			frappe.db.get_value(PATIENT, patient.name, PORTAL_STATUS_FIELD), AccountStatus.ENABLED
		)
		self.assertFalse(frappe.db.exists(INVITATION, {"patient": patient.name}))


class SmsGateway:
	"""A stand-in SMS gateway on loopback that answers with `status` and records what it was sent."""

	def __init__(self) -> None:
		import http.server
		import threading

		self.status = 200
		self.received: list[str] = []
		gateway = self

		class Handler(http.server.BaseHTTPRequestHandler):
			def do_GET(self) -> None:
				gateway.received.append(self.path)
				self.send_response(gateway.status)
				self.end_headers()

			def log_message(self, *args) -> None:
				pass

		self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
		threading.Thread(target=self.server.serve_forever, daemon=True).start()
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"

	def close(self) -> None:
		self.server.shutdown()


class TestSmsNotice(MailTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.gateway = SmsGateway()

	@classmethod
	def tearDownClass(cls):
		cls.gateway.close()
		super().tearDownClass()

	def setUp(self):
		super().setUp()
		self.gateway.status = 200
		self.gateway.received.clear()
		sms = frappe.get_single("SMS Settings")
		sms.sms_gateway_url = self.gateway.url
		sms.message_parameter = "text"
		sms.receiver_parameter = "to"
		sms.use_post = 0
		sms.save()

	def test_both_sends_a_notice_without_link_or_health_data(self):
		mobile = random_mobile()
		patient = make_eligible_patient(mobile=mobile)
		_account, invitation, key = invite_and_send(patient.name, channel="Both")
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "sms_status"), "Sent")
		log = frappe.get_all(
			"SMS Log",
			filters={"sent_to": ("like", f"%{mobile}%"), "message": ("like", "%patient portal%")},
			fields=["message"],
		)
		self.assertEqual(len(log), 1)
		self.assertIn("invited to our patient portal", log[0].message)
		self.assertNotIn("http", log[0].message)
		self.assertNotIn(key, log[0].message)
		self.assertNotIn(patient.patient_name, log[0].message)
		self.assertEqual(len([p for p in self.gateway.received if "invited+to+our+patient+portal" in p]), 1)

	def test_the_notice_is_in_the_patients_language(self):
		mobile = random_mobile()
		patient = make_eligible_patient(mobile=mobile, language="es")
		invite_and_send(patient.name, channel="Both")
		(message,) = frappe.get_all("SMS Log", filters={"sent_to": ("like", f"%{mobile}%")}, pluck="message")
		self.assertIn("le hemos invitado a nuestro portal del paciente", message)

	def test_sms_outage_keeps_the_email_link_and_is_retried(self):
		patient = make_eligible_patient(mobile=random_mobile())
		self.gateway.status = 500
		_account, invitation, key = invite_and_send(patient.name, channel="Both")
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "status"), InvitationStatus.SENT)
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "sms_status"), "Failed")
		self.assertIsNotNone(activation.find_invitation(key))
		self.assertIn(EventType.INVITATION_FAILED, event_types(patient.name))

		self.gateway.status = 200
		with patch.object(frappe.db, "commit"):
			delivery.retry_failed()
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "sms_status"), "Sent")

	def test_sms_only_nudges_an_emailed_invitation(self):
		patient = make_eligible_patient(mobile=random_mobile())
		_account, invitation, key = invite_and_send(patient.name)
		_account, again, *_ = invite_and_send_sms(patient.name)
		self.assertEqual(again, invitation)
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "sms_status"), "Sent")
		self.assertIsNotNone(activation.find_invitation(key))


def random_mobile() -> str:
	import secrets

	return "+1555" + "".join(secrets.choice("0123456789") for _ in range(7))


def invite_and_send_sms(patient: str) -> tuple[str, str]:
	with JobRecorder() as jobs:
		result = invitation_api.invite(patient, channel="SMS")
		jobs.run()
	return result["account"], result["invitation"]


class TestExistingLoginsAndGrants(MailTestCase):
	def test_marley_made_login_is_reused_not_duplicated(self):
		patient = make_eligible_patient()
		marley_user, _password = make_user(["Patient"], email=patient.email)
		frappe.db.set_value(PATIENT, patient.name, "user_id", marley_user)
		_account, _invitation, key = invite_and_send(patient.name)
		username = unique("own.")
		result = accept_link(key, username)
		self.assertTrue(result["ok"], result)
		self.assertEqual(frappe.db.get_value(ACCOUNT, _account, "user"), marley_user)
		self.assertEqual(frappe.db.get_value("User", marley_user, "username"), username)
		self.assertFalse(frappe.db.exists("User", f"{username}@portal.invalid"))

	def test_grants_end_when_the_patient_loses_portal_access(self):
		patient = make_eligible_patient()
		account, _invitation, key = invite_and_send(patient.name)
		self.assertTrue(accept_link(key)["ok"])
		user = frappe.db.get_value(ACCOUNT, account, "user")
		self.assertEqual(len(portal_grants(user)), 1)
		frappe.db.set_value(PATIENT, patient.name, PORTAL_ACCESS_FIELD, "No Access to Portal")
		self.assertEqual(portal_grants(user), [])
		self.assertTrue(frappe.get_meta(PATIENT).get_field(PORTAL_ACCESS_FIELD).read_only)
