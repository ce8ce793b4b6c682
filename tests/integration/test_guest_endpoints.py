"""The guest endpoints over real HTTP: POST only, rate limited, one answer for every bad link."""

import secrets

import frappe
from frappe.tests.utils import FrappeTestCase

from tests.integration.factories import http_as, http_guest, make_eligible_patient, make_user
from tests.site import site_name

API = "/api/method/portal_onboarding.api.invitation."


def documentation_ip() -> str:
	"""An address from TEST-NET-1 to key the rate limiter on, so other tests keep their own budget."""
	return f"192.0.2.{secrets.randbelow(250) + 1}"


class TestGuestEndpoints(FrappeTestCase):
	def tearDown(self):
		frappe.cache.delete_keys("portal_onboarding:rl:")

	def test_guest_endpoints_refuse_get(self):
		responses = http_guest(
			site_name(),
			[
				("GET", API + name + "?key=x", None)
				for name in ("check_link", "verify_identity", "check_username", "accept")
			],
			remote_addr=documentation_ip(),
		)
		for response in responses:
			self.assertEqual(response.status_code, 403, response.get_data(as_text=True))

	def test_bad_links_all_get_the_same_answer_over_http(self):
		answers = set()
		for key in ("", "garbage", "A" * 43):
			(response,) = http_guest(
				site_name(),
				[("POST", API + "accept", {"key": key, "username": "someone", "password": "Pw-123456789!"})],
				remote_addr=documentation_ip(),
			)
			self.assertEqual(response.status_code, 200)
			answers.add(response.get_data(as_text=True))
		self.assertEqual(len(answers), 1)
		self.assertIn("ask your clinic for a new one", answers.pop())

	def test_identity_check_is_rate_limited(self):
		ip = documentation_ip()
		form = {"key": "garbage", "date_of_birth": "2000-01-01", "home_zip": "12345"}
		responses = http_guest(site_name(), [("POST", API + "verify_identity", form)] * 11, remote_addr=ip)
		self.assertEqual([r.status_code for r in responses[:10]], [200] * 10)
		self.assertEqual(responses[10].status_code, 429)

	def test_one_address_is_limited_across_links(self):
		ip = documentation_ip()
		forms = [
			{"key": f"garbage{i}", "date_of_birth": "2000-01-01", "home_zip": "12345"} for i in range(101)
		]
		responses = http_guest(
			site_name(), [("POST", API + "verify_identity", f) for f in forms], remote_addr=ip
		)
		self.assertEqual({r.status_code for r in responses[:100]}, {200})
		self.assertEqual(responses[100].status_code, 429)


class TestAdminApisOverHttp(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.patient = make_eligible_patient()
		cls.website_user = make_user(["Patient"])
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.delete_doc("User", cls.website_user[0], force=True)
		frappe.delete_doc("Patient", cls.patient.name, force=True)
		frappe.db.commit()
		super().tearDownClass()

	def test_website_user_gets_403_from_every_admin_api(self):
		paths = [
			f"/api/method/portal_onboarding.api.account.enable?patient={self.patient.name}",
			f"/api/method/portal_onboarding.api.account.disable?patient={self.patient.name}",
			f"/api/method/portal_onboarding.api.invitation.invite?patient={self.patient.name}",
		]
		login, *responses = http_as(site_name(), *self.website_user, [("POST", p) for p in paths])
		self.assertEqual(login.status_code, 200)
		for path, response in zip(paths, responses, strict=True):
			self.assertEqual(response.status_code, 403, path)
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("Patient Portal Account", {"patient": self.patient.name}))
		self.assertEqual(
			frappe.db.get_value("Patient", self.patient.name, "portal_access"), "No Access to Portal"
		)
