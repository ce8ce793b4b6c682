"""The portal's own sign-up: a pending request until the email is confirmed, then the portal for the
one matching patient, or a request that waits for staff; mail read from Email Queue."""

import re
from datetime import timedelta
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase, change_settings
from frappe.utils import add_days, getdate, now_datetime

from portal_onboarding.api import invitation as invitation_api
from portal_onboarding.api import registration as registration_api
from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	MANAGER_ROLE,
	PATIENT,
	REGISTRATION,
	SETTINGS,
	AccountStatus,
	EventType,
	InvitationStatus,
)
from portal_onboarding.core.registration import RegistrationStatus, WaitReason
from portal_onboarding.core.tokens import hash_token, looks_like_hash
from portal_onboarding.exceptions import InvalidInvitation
from portal_onboarding.sign_up import requests as sign_up
from tests.integration.factories import (
	JobRecorder,
	activation_key,
	ensure_gender,
	ensure_outgoing_email_account,
	http_guest,
	in_own_thread,
	make_eligible_patient,
	make_user,
	queued_mails,
	strong_password,
	unique,
)
from tests.integration.test_guest_endpoints import documentation_ip
from tests.site import site_name

R = RegistrationStatus
API = "/api/method/portal_onboarding.api.registration."


def form(email: str, **kw) -> dict:
	values = {
		"first_name": "Ana",
		"last_name": "Signup",
		"date_of_birth": "1990-05-17",
		"home_zip": "90210",
		"email": email,
	}
	values.update(kw)
	return values


def sign_up_key(request: str) -> str:
	"""The raw key, read back from the confirmation mail as the person would."""
	html = queued_mails(request, REGISTRATION)[-1]["html"]
	match = re.search(r"/portal/register#key=([A-Za-z0-9_\-]+)", html)
	assert match, "no confirmation link in the mail"
	return match.group(1)


def latest_request(email: str) -> str:
	return frappe.db.get_value(REGISTRATION, {"email": email}, "name", order_by="creation desc")


def events(event_type: str, **filters) -> list:
	return frappe.get_all(EVENT, filters={"event_type": event_type, **filters}, pluck="details")


class SignUpCase(FrappeTestCase):
	def setUp(self):
		ensure_outgoing_email_account()
		settings = frappe.get_single(SETTINGS)
		settings.update(
			{
				"require_email": 1,
				"require_home_zip": 1,
				"require_identity_check": 1,
				"send_sms_notice": 0,
				"auto_enable_verified_sign_up": 1,
			}
		)
		settings.save()

	def register(self, email: str, **kw) -> tuple[dict, str | None]:
		answer = registration_api.register(**form(email, **kw))
		return answer, latest_request(email.strip().lower())

	def verify(self, email: str, **kw) -> tuple[dict, str]:
		_answer, request = self.register(email, **kw)
		return registration_api.verify_sign_up(sign_up_key(request)), request

	def accept(self, key: str, username: str | None = None) -> dict:
		with patch.object(frappe.local, "login_manager", create=True):
			return invitation_api.accept(key, username or unique("pat."), strong_password())


class TestSignUpRequest(SignUpCase):
	def test_nothing_but_a_pending_request_exists_until_the_email_is_confirmed(self):
		email = f"{unique('signup')}@example.com"
		counts = {doctype: frappe.db.count(doctype) for doctype in (PATIENT, ACCOUNT, "User")}
		answer, request = self.register(f"  {email.upper()} ")
		self.assertTrue(answer["ok"])
		self.assertEqual({doctype: frappe.db.count(doctype) for doctype in counts}, counts)

		doc = frappe.get_doc(REGISTRATION, request)
		self.assertEqual((doc.status, doc.email, doc.home_zip), (R.PENDING_VERIFICATION, email, "90210"))
		self.assertTrue(looks_like_hash(doc.token_hash))
		(mail,) = queued_mails(request, REGISTRATION)
		self.assertEqual(mail["recipients"], [email])
		key = sign_up_key(request)
		self.assertEqual(doc.token_hash, hash_token(key))
		self.assertNotIn(key, frappe.as_json(doc.as_dict()))

	def test_the_answer_is_the_same_whoever_the_address_belongs_to(self):
		patient = make_eligible_patient()
		known = registration_api.register(**form(patient.email))
		unknown = registration_api.register(**form(f"{unique('nobody')}@example.com"))
		self.assertEqual(known, unknown)
		self.assertEqual(set(known), {"ok", "message"})

	def test_bad_input_gets_clear_answers_and_keeps_nothing(self):
		email = f"{unique('bad')}@example.com"
		future = str(add_days(getdate(), 1))
		cases = {
			"dob_future": form(email, date_of_birth=future),
			"dob_invalid": form(email, date_of_birth="17/05/1990"),
			"zip_invalid": form(email, home_zip="ABCDE"),
			"email_invalid": form("not an email"),
			"first_name_missing": form(email, first_name="  "),
		}
		for code, values in cases.items():
			answer = registration_api.register(**values)
			self.assertFalse(answer["ok"], code)
			self.assertIn(code, answer["errors"])
		self.assertIn("future", registration_api.register(**cases["dob_future"])["errors"]["dob_future"])
		self.assertFalse(frappe.db.exists(REGISTRATION, {"email": email}))

	def test_a_new_sign_up_replaces_the_pending_one_for_the_same_address(self):
		email = f"{unique('again')}@example.com"
		_answer, first = self.register(email)
		first_key = sign_up_key(first)
		_answer, second = self.register(email)
		self.assertEqual(frappe.db.get_value(REGISTRATION, first, "status"), R.EXPIRED)
		self.assertIsNone(frappe.db.get_value(REGISTRATION, first, "token_hash"))
		self.assertTrue(registration_api.verify_sign_up(first_key)["invalid_link"])
		self.assertEqual(frappe.db.count(REGISTRATION, {"email": email, "status": R.PENDING_VERIFICATION}), 1)
		self.assertNotEqual(first, second)

	def test_unconfirmed_requests_expire_and_are_deleted_a_week_later(self):
		email = f"{unique('late')}@example.com"
		_answer, request = self.register(email)
		key = sign_up_key(request)
		lifetime = int(frappe.get_single(SETTINGS).invitation_lifetime_hours)
		later = now_datetime() + timedelta(hours=lifetime + 1)
		with patch("portal_onboarding.sign_up.requests.now_datetime", return_value=later):
			sign_up.expire_overdue()
		self.assertEqual(frappe.db.get_value(REGISTRATION, request, "status"), R.EXPIRED)
		self.assertTrue(registration_api.verify_sign_up(key)["invalid_link"])
		with patch("portal_onboarding.sign_up.requests.now_datetime", return_value=later + timedelta(days=8)):
			sign_up.expire_overdue()
		self.assertFalse(frappe.db.exists(REGISTRATION, request))

	def test_requests_are_made_only_by_the_sign_up_page(self):
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc({"doctype": REGISTRATION, "first_name": "X", "email": "x@example.com"}).insert(
				ignore_permissions=True
			)


class TestVerifiedSignUp(SignUpCase):
	def test_one_match_opens_the_portal_for_that_patient(self):
		patient = make_eligible_patient()
		answer, request = self.verify(f" {patient.email.upper()}", home_zip="90 210")
		self.assertEqual(answer["next"], "credentials")
		self.assertTrue(answer["key"])

		doc = frappe.get_doc(REGISTRATION, request)
		self.assertEqual((doc.status, doc.auto_approved, doc.patient), (R.APPROVED, 1, patient.name))
		self.assertIsNone(doc.token_hash)
		invitation = frappe.get_doc("Patient Portal Invitation", doc.invitation)
		self.assertEqual(invitation.status, InvitationStatus.SENT)
		self.assertTrue(invitation.identity_verified_on)
		self.assertEqual(invitation.token_hash, hash_token(answer["key"]))

		username = unique("ana.")
		self.assertTrue(self.accept(answer["key"], username)["ok"])
		account = frappe.get_doc(ACCOUNT, doc.account)
		self.assertEqual(
			(account.status, account.patient, account.username), ("Active", patient.name, username)
		)
		self.assertTrue(events(EventType.SIGN_UP_VERIFIED, patient=patient.name))
		self.assertTrue(events(EventType.SIGN_UP_APPROVED, patient=patient.name))
		self.assertTrue(events(EventType.ACCOUNT_ACTIVATED, patient=patient.name))

	def test_the_confirmation_link_works_once(self):
		patient = make_eligible_patient()
		_answer, request = self.register(patient.email)
		key = sign_up_key(request)
		self.assertTrue(registration_api.verify_sign_up(key)["ok"])
		again = registration_api.verify_sign_up(key)
		self.assertEqual(again, registration_api.verify_sign_up("garbage"))
		self.assertTrue(again["invalid_link"])

	def test_no_match_several_matches_or_the_setting_off_wait_for_staff(self):
		twin_email = f"{unique('twins')}@example.com"
		make_eligible_patient(email=twin_email)
		make_eligible_patient(email=twin_email)
		single = make_eligible_patient()
		wrong_zip = make_eligible_patient()
		cases = [
			(f"{unique('stranger')}@example.com", {}, WaitReason.NO_MATCH),
			(wrong_zip.email, {"home_zip": "10001"}, WaitReason.NO_MATCH),
			(single.email, {"date_of_birth": "1991-05-17"}, WaitReason.NO_MATCH),
			(twin_email, {}, WaitReason.SEVERAL_MATCHES),
		]
		answers = []
		for email, changes, reason in cases:
			answer, request = self.verify(email, **changes)
			answers.append(answer)
			doc = frappe.get_doc(REGISTRATION, request)
			self.assertEqual((doc.status, doc.wait_reason, doc.patient), (R.AWAITING_REVIEW, reason, None))
		with change_settings(SETTINGS, {"auto_enable_verified_sign_up": 0}):
			answer, request = self.verify(single.email)
		answers.append(answer)
		self.assertEqual(
			frappe.db.get_value(REGISTRATION, request, "wait_reason"), WaitReason.AUTO_ENABLE_OFF
		)
		self.assertEqual(
			{frappe.as_json(a) for a in answers}, {frappe.as_json({"ok": True, "next": "review"})}
		)
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": single.name}))

	def test_a_patient_already_on_the_portal_is_never_opened_by_a_sign_up(self):
		patient = make_eligible_patient()
		first, _request = self.verify(patient.email)
		self.assertTrue(self.accept(first["key"])["ok"])
		answer, request = self.verify(patient.email)
		self.assertEqual(answer, {"ok": True, "next": "review"})
		self.assertEqual(frappe.db.get_value(REGISTRATION, request, "wait_reason"), WaitReason.NOT_AVAILABLE)
		self.assertEqual(frappe.db.count(ACCOUNT, {"patient": patient.name}), 1)


class TestReview(SignUpCase):
	def waiting(self, email: str | None = None, **kw) -> str:
		answer, request = self.verify(email or f"{unique('wait')}@example.com", **kw)
		self.assertEqual(answer["next"], "review")
		return request

	def test_manager_links_a_patient_approves_and_the_invitation_goes_out(self):
		patient = make_eligible_patient(email=None)
		request = self.waiting()
		email = frappe.db.get_value(REGISTRATION, request, "email")
		doc = frappe.get_doc(REGISTRATION, request)
		doc.patient = patient.name
		doc.save()
		with JobRecorder() as jobs:
			result = registration_api.approve(request)
			jobs.run()
		self.assertEqual(result["status"], R.APPROVED)
		self.assertEqual(frappe.db.get_value(PATIENT, patient.name, "email"), email)
		account = frappe.get_doc(ACCOUNT, result["account"])
		self.assertEqual((account.status, account.contact_email), (AccountStatus.INVITED, email))
		(mail,) = queued_mails(result["invitation"])
		self.assertEqual(mail["recipients"], [email])
		self.assertTrue(activation_key(result["invitation"]))
		self.assertTrue(events(EventType.SIGN_UP_APPROVED, patient=patient.name))

		with self.assertRaises(InvalidInvitation) as refused:
			registration_api.approve(request)
		self.assertIn("already been approved", str(refused.exception))
		self.assertEqual(len(queued_mails(result["invitation"])), 1)

	def test_approval_needs_a_patient_whose_email_is_the_confirmed_one(self):
		request = self.waiting()
		with self.assertRaises(InvalidInvitation) as refused:
			registration_api.approve(request)
		self.assertIn("Link the request to a Patient", str(refused.exception))
		other = make_eligible_patient()
		doc = frappe.get_doc(REGISTRATION, request)
		doc.patient = other.name
		doc.save()
		with self.assertRaises(InvalidInvitation) as refused:
			registration_api.approve(request)
		self.assertIn("correct the Patient's email first", str(refused.exception))
		self.assertEqual(frappe.db.get_value(REGISTRATION, request, "status"), R.AWAITING_REVIEW)
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": other.name}))

	def test_reject_needs_a_reason_and_mails_it_escaped(self):
		request = self.waiting()
		with self.assertRaises(InvalidInvitation):
			registration_api.reject(request, "  ")
		registration_api.reject(request, "We have no record of a <b>visit</b>.")
		doc = frappe.get_doc(REGISTRATION, request)
		self.assertEqual(doc.status, R.REJECTED)
		mails = queued_mails(request, REGISTRATION)
		self.assertEqual(len(mails), 2)  # the confirmation link, then the answer
		self.assertIn("&lt;b&gt;visit&lt;/b&gt;", mails[-1]["html"])
		self.assertEqual(mails[-1]["recipients"], [doc.email])
		self.assertTrue(events(EventType.SIGN_UP_REJECTED))
		for action in (
			lambda: registration_api.reject(request, "again"),
			lambda: registration_api.approve(request),
		):
			with self.assertRaises(InvalidInvitation) as refused:
				action()
			self.assertIn("already been rejected", str(refused.exception))

	def test_create_patient_from_a_request_then_approve(self):
		request = self.waiting(home_zip="30301")
		created = registration_api.create_patient(request, ensure_gender(), "2 Signup Road", "Atlanta")
		patient = frappe.get_doc(PATIENT, created["patient"])
		doc = frappe.get_doc(REGISTRATION, request)
		self.assertEqual(doc.patient, patient.name)
		self.assertEqual(
			(patient.first_name, str(patient.dob), patient.email), ("Ana", "1990-05-17", doc.email)
		)
		self.assertEqual(frappe.db.get_value(PATIENT, patient.name, "portal_home_zip"), "30301")
		with JobRecorder() as jobs:
			result = registration_api.approve(request)
			jobs.run()
		self.assertEqual(len(queued_mails(result["invitation"])), 1)
		with self.assertRaises(InvalidInvitation):
			registration_api.create_patient(request, ensure_gender(), "x", "y")

	def test_only_managers_with_rights_review(self):
		request = self.waiting()
		nurse, _password = make_user(["Nursing User"])
		frappe.set_user(nurse)
		try:
			for action in (
				lambda: registration_api.approve(request),
				lambda: registration_api.reject(request, "no"),
				lambda: registration_api.create_patient(request, "Female", "x", "y"),
			):
				with self.assertRaises(frappe.PermissionError):
					action()
		finally:
			frappe.set_user("Administrator")
		doc = frappe.get_doc(REGISTRATION, request)
		doc.first_name = "Changed"
		with self.assertRaises(frappe.PermissionError):
			doc.save()
		self.assertEqual(frappe.db.get_value(REGISTRATION, request, "status"), R.AWAITING_REVIEW)
		manager, _password = make_user([MANAGER_ROLE])
		self.assertTrue(frappe.has_permission(REGISTRATION, "write", request, user=manager))


class TestSignUpOverHttp(FrappeTestCase):
	def setUp(self):
		ensure_outgoing_email_account()
		frappe.db.commit()

	def tearDown(self):
		frappe.cache.delete_keys("portal_onboarding:rl:")
		frappe.db.rollback()
		frappe.db.delete(REGISTRATION, {"email": ("like", "flood%@example.com")})
		frappe.db.commit()

	def test_get_is_refused_and_flooding_hits_the_limits(self):
		ip = documentation_ip()
		email = f"flood{unique('')}@example.com"
		(get,) = http_guest(site_name(), [("GET", API + "register?email=" + email, None)], remote_addr=ip)
		self.assertEqual(get.status_code, 403)
		same_address = http_guest(site_name(), [("POST", API + "register", form(email))] * 4, remote_addr=ip)
		self.assertEqual([r.status_code for r in same_address], [200, 200, 200, 429])
		frappe.db.rollback()
		self.assertEqual(frappe.db.count(REGISTRATION, {"email": email}), 3)
		self.assertEqual(frappe.db.count(REGISTRATION, {"email": email, "status": R.PENDING_VERIFICATION}), 1)

		many = http_guest(
			site_name(),
			[("POST", API + "register", form(f"flood{i}{unique('')}@example.com")) for i in range(18)],
			remote_addr=ip,
		)
		self.assertEqual([r.status_code for r in many], [200] * 16 + [429] * 2)

	def test_bad_confirmation_links_get_one_answer(self):
		answers = set()
		for key in ("", "garbage", "A" * 43, "B" * 400):
			(response,) = http_guest(
				site_name(), [("POST", API + "verify_sign_up", {"key": key})], remote_addr=documentation_ip()
			)
			self.assertEqual(response.status_code, 200)
			answers.add(response.get_data(as_text=True))
		self.assertEqual(len(answers), 1)

	def test_pages_and_the_confirmation_mail_follow_the_guests_language(self):
		from werkzeug.test import Client

		from frappe.app import application

		email = f"flood-es{unique('')}@example.com"
		headers = {"Host": site_name(), "Accept-Language": "es", "X-Forwarded-For": documentation_ip()}

		def work():
			client = Client(application)
			return [
				client.get("/portal/register", headers=headers),
				client.get("/portal/forgot-password", headers=headers),
				client.post(API + "register", data=form(email), headers=headers),
			]

		register, forgot, posted = in_own_thread(work)
		self.assertIn("Registrarse en el portal de pacientes", register.get_data(as_text=True))
		self.assertIn("¿Olvidó su contraseña?", forgot.get_data(as_text=True))
		self.assertIn("Gracias. Si la dirección es correcta", posted.get_json()["message"]["message"])
		frappe.db.rollback()
		request = latest_request(email)
		self.assertEqual(frappe.db.get_value(REGISTRATION, request, "language"), "es")
		(mail,) = queued_mails(request, REGISTRATION)
		self.assertIn("Confirme su correo", mail["subject"])
		self.assertIn("Confirmar mi dirección de correo", mail["html"])


class TestSignUpKeepsTheClinicsDecisions(SignUpCase):
	"""Auto-enable opens only a patient nobody has decided on; every decision sends it to staff."""

	def assert_waits(self, patient: str) -> None:
		before = frappe.get_all(
			ACCOUNT, filters={"patient": patient}, fields=["name", "status", "user"], order_by="name"
		)
		access = frappe.db.get_value(PATIENT, patient, "portal_access")
		approved = len(events(EventType.SIGN_UP_APPROVED, patient=patient))
		answer, request = self.verify(frappe.db.get_value(PATIENT, patient, "email"))
		self.assertEqual(answer, {"ok": True, "next": "review"})
		self.assertEqual(
			frappe.db.get_value(REGISTRATION, request, ["status", "wait_reason"]),
			(R.AWAITING_REVIEW, WaitReason.NOT_AVAILABLE),
		)
		after = frappe.get_all(
			ACCOUNT, filters={"patient": patient}, fields=["name", "status", "user"], order_by="name"
		)
		self.assertEqual(after, before, "no account was opened, moved or given a login")
		self.assertEqual(frappe.db.get_value(PATIENT, patient, "portal_access"), access)
		self.assertEqual(len(events(EventType.SIGN_UP_APPROVED, patient=patient)), approved)

	def test_a_patient_an_admin_disabled_stays_disabled(self):
		from portal_onboarding.invitations.portal_access import disable

		patient = make_eligible_patient()
		first, _request = self.verify(patient.email)
		self.assertTrue(self.accept(first["key"])["ok"])
		account = frappe.db.get_value(ACCOUNT, {"patient": patient.name})
		login = frappe.db.get_value(ACCOUNT, account, "user")
		disable(patient.name)
		self.assertEqual(frappe.db.get_value("User", login, "enabled"), 0)
		self.assert_waits(patient.name)
		self.assertEqual(frappe.db.get_value("User", login, "enabled"), 0, "the disabled login stays off")

	def test_a_representatives_patient_waits_for_staff(self):
		patient = make_eligible_patient()
		with JobRecorder() as jobs:
			invitation_api.invite(
				patient.name,
				representative={
					"first_name": "Cara",
					"last_name": "Carer",
					"email": f"{unique('carer')}@example.com",
					"relation": "Carer",
				},
			)
			jobs.run()
		self.assert_waits(patient.name)

	def test_suspended_and_pending_delete_accounts_wait_for_staff(self):
		from portal_onboarding.accounts import management

		suspended, pending = make_eligible_patient(), make_eligible_patient()
		for patient in (suspended, pending):
			first, _request = self.verify(patient.email)
			self.assertTrue(self.accept(first["key"])["ok"])
		management.suspend(frappe.db.get_value(ACCOUNT, {"patient": suspended.name}), "Lost phone")
		management.mark_pending_delete(frappe.db.get_value(ACCOUNT, {"patient": pending.name}))
		self.assert_waits(suspended.name)
		self.assert_waits(pending.name)

	def test_an_undecided_patient_still_opens(self):
		patient = make_eligible_patient()
		answer, _request = self.verify(patient.email)
		self.assertEqual(answer["next"], "credentials")
