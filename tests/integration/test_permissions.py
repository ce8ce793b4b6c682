from urllib.parse import quote

import frappe
from frappe.tests.utils import FrappeTestCase

from portal_onboarding.constants import ACCOUNT, EVENT, INVITATION, MANAGER_ROLE, SECTION, SETTINGS
from portal_onboarding.core.tokens import issue_token
from portal_onboarding.security.actions import acting
from tests.integration.factories import http_as, make_account, make_patient, make_user
from tests.site import site_name

DOCTYPES = (SETTINGS, ACCOUNT, INVITATION, EVENT, SECTION)


class TestPermissions(FrappeTestCase):
	"""Over real HTTP, so the data is committed here and removed again in tearDownClass."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.patient = make_patient()
		cls.account = make_account(cls.patient.name)
		token = issue_token(frappe.utils.now_datetime(), 72)
		with acting():
			cls.invitation = frappe.get_doc(
				{
					"doctype": INVITATION,
					"account": cls.account.name,
					"channel": "Email",
					"token_hash": token.token_hash,
					"reminder_token_hash": issue_token(frappe.utils.now_datetime(), 72).token_hash,
					"expires_on": token.expires_on,
				}
			).insert()
		cls.website_user = make_user(["Patient"])
		cls.manager = make_user([MANAGER_ROLE])
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.delete_doc(INVITATION, cls.invitation.name, force=True)
		frappe.delete_doc(ACCOUNT, cls.account.name, force=True)
		frappe.db.delete(EVENT, {"account": cls.account.name})
		frappe.delete_doc("Patient", cls.patient.name, force=True)
		for email, _password in (cls.website_user, cls.manager):
			frappe.delete_doc("User", email, force=True)
		frappe.db.commit()
		super().tearDownClass()

	def resource_paths(self) -> list[tuple[str, str]]:
		paths = [f"{doctype}" for doctype in (ACCOUNT, INVITATION, EVENT)]
		paths += [
			f"{ACCOUNT}/{self.account.name}",
			f"{INVITATION}/{self.invitation.name}",
			f"{SETTINGS}/{SETTINGS}",
		]
		return [("GET", "/api/resource/" + quote(path)) for path in paths]

	def test_website_user_is_a_website_user(self):
		self.assertEqual(frappe.db.get_value("User", self.website_user[0], "user_type"), "Website User")

	def test_website_user_cannot_read_any_app_doctype_over_http(self):
		login, *responses = http_as(site_name(), *self.website_user, self.resource_paths())
		self.assertEqual(login.status_code, 200)
		for (_method, path), response in zip(self.resource_paths(), responses, strict=True):
			self.assertEqual(response.status_code, 403, path)
			self.assertNotIn(self.account.username, response.get_data(as_text=True), path)

	def test_manager_reads_accounts_but_never_the_token_hash(self):
		login, *responses = http_as(site_name(), *self.manager, self.resource_paths())
		self.assertEqual(login.status_code, 200)
		for (_method, path), response in zip(self.resource_paths(), responses, strict=True):
			self.assertEqual(response.status_code, 200, path)
		invitation = responses[4].get_json()["data"]
		self.assertEqual(invitation["account"], self.account.name)
		self.assertNotIn("token_hash", invitation)
		self.assertNotIn("reminder_token_hash", invitation)
		for digest in (self.invitation.token_hash, self.invitation.reminder_token_hash):
			self.assertNotIn(digest, responses[4].get_data(as_text=True))

	def test_child_table_is_not_reachable_on_its_own(self):
		frappe.set_user(self.website_user[0])
		try:
			for doctype in DOCTYPES:
				self.assertFalse(frappe.has_permission(doctype, "read"), doctype)
		finally:
			frappe.set_user("Administrator")
