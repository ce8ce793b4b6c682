"""Who may not choose proxies: a patient reaching for another patient's proxy (one answer for every name),
a minor's own login, a representative's login or a patient without a date of birth, who get 403 on the
People page and its endpoints, and another site's page posting with the patient's session."""

from werkzeug.test import Client

import frappe
from frappe.utils import add_days, add_years, getdate, today

from portal_onboarding.api import proxies as proxies_api
from portal_onboarding.constants import ACCOUNT, AccessType, AccountStatus
from portal_onboarding.invitations import sending
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	in_own_thread,
	make_account,
	strong_password,
	unique,
)
from tests.integration.test_portal_gate import as_login
from tests.integration.test_proxies import API, PEOPLE, REFUSAL, ProxyCase, signed_in
from tests.site import site_name


class TestWhoMayNot(ProxyCase):
	def test_a_patient_cannot_touch_another_patients_proxy_one_answer_for_all(self):
		patient, user, _password = self.self_login()
		other, other_user, _p = self.self_login()
		theirs = self.invite(other_user)["account"]
		guardian = make_account(
			patient,
			access_type=AccessType.REPRESENTATIVE,
			relation="Legal Guardian",
			guardian_of_adult=1,
			status=AccountStatus.ENABLED,
		).name
		answers = set()
		with signed_in(user):
			for name in (theirs, guardian, "no-such-account", other):
				for method, args in ((proxies_api.revoke, ()), (proxies_api.change, ('["Forms"]', None))):
					with self.assertRaises(frappe.PermissionError) as ctx:
						method(name, *args)
					answers.add(str(ctx.exception))
		self.assertEqual(answers, {REFUSAL})
		self.assertEqual(frappe.db.get_value(ACCOUNT, theirs, "status"), AccountStatus.INVITED)
		self.assertEqual(frappe.db.get_value(ACCOUNT, guardian, "status"), AccountStatus.ENABLED)

	def test_minors_representatives_and_patients_without_a_birth_date_get_403(self):
		adult, adult_user, adult_password = self.self_login()
		minor_dob = add_years(getdate(today()), -15)
		_minor, minor_user, minor_password = self.self_login(dob=minor_dob)
		child = self.patient(dob=add_years(getdate(today()), -8))
		parent = {
			"first_name": "Pat",
			"last_name": "Parent",
			"email": f"{unique('par')}@example.com",
			"relation": "Parent",
		}
		with JobRecorder() as jobs:
			_account, invitation = sending.invite(child.name, representative=parent)
			jobs.run()
		rep_password = strong_password()
		assert accept_link(activation_key(invitation.name), password=rep_password, dob=str(child.dob))["ok"]
		rep_user = frappe.db.get_value(
			ACCOUNT, {"patient": child.name, "contact_email": parent["email"]}, "user"
		)
		frappe.db.commit()
		invite = {
			"first_name": "X",
			"email": "x@example.com",
			"relation": "Other",
			"sections": '["Forms"]',
			"end_date": add_days(today(), 30),
		}
		requests = [
			("GET", PEOPLE, None),
			("POST", API + "invite", invite),
			("POST", API + "revoke", {"account": "x"}),
			("GET", "/portal", None),
		]
		for login, password in ((minor_user, minor_password), (rep_user, rep_password)):
			page, post, revoke, home = as_login(login, password, requests)
			self.assertEqual((page.status_code, post.status_code, revoke.status_code), (403, 403, 403), login)
			self.assertNotIn(PEOPLE, home.get_data(as_text=True))
		page, home = as_login(adult_user, adult_password, [requests[0], requests[-1]])
		self.assertEqual(page.status_code, 200)
		self.assertIn("People who can see my record", page.get_data(as_text=True))
		self.assertIn(f'href="{PEOPLE}"', home.get_data(as_text=True))
		frappe.db.set_value("Patient", adult, "dob", None)
		frappe.db.commit()
		(page,) = as_login(adult_user, adult_password, [requests[0]])
		self.assertEqual(page.status_code, 403)
		self.assertEqual(frappe.db.count(ACCOUNT, {"contact_email": "x@example.com"}), 0)

	def test_another_sites_page_cannot_invite_for_the_patient(self):
		patient, user, password = self.self_login()
		invite = {
			"first_name": "X",
			"email": f"{unique('x')}@example.com",
			"relation": "Other",
			"sections": '["Forms"]',
			"end_date": add_days(today(), 30),
		}

		def work() -> list:
			from frappe.app import application

			client = Client(application)
			headers = {"Host": site_name()}
			client.post("/api/method/login", data={"usr": user, "pwd": password}, headers=headers)
			return [
				client.post(API + "invite", data=invite, headers={**headers, **elsewhere})
				for elsewhere in (
					{"Origin": "https://evil.example"},
					{"Referer": "https://evil.example/x"},
					{"Origin": f"http://{site_name()}"},  # the portal's own page
				)
			]

		self.assertEqual([r.status_code for r in in_own_thread(work)], [403, 403, 200])
		frappe.db.rollback()
		self.assertEqual(frappe.db.count(ACCOUNT, {"patient": patient, "contact_email": invite["email"]}), 1)
