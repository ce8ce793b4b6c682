"""Account management over real requests: committed data, a browser-like client with its cookies."""

from werkzeug.test import Client

import frappe

from portal_onboarding.api import account as account_api
from portal_onboarding.constants import ACCOUNT, MANAGER_ROLE, PATIENT, AccountStatus
from tests.integration.committed import CommittedCase
from tests.integration.factories import in_own_thread, strong_password
from tests.site import site_name

API = "/api/method/"


def browser() -> tuple[Client, dict]:
	from frappe.app import application

	return Client(application), {"Host": site_name()}


class TestForcedPasswordChangeOverHttp(CommittedCase):
	def test_temporary_credentials_reach_only_the_change_password_page(self):
		patient = self.patient()
		account = account_api.enable(patient.name)["account"]
		credentials = account_api.set_credentials(account)
		user = frappe.db.get_value(ACCOUNT, account, "user")
		self.users.append(user)
		frappe.db.commit()
		new_password = strong_password()

		def work():
			client, headers = browser()
			login = client.post(
				API + "login",
				data={"usr": credentials["username"], "pwd": credentials["password"]},
				headers=headers,
			)
			portal = client.get("/portal", headers=headers)
			me = client.get("/me", headers=headers)
			resource = client.get(f"/api/resource/Patient/{patient.name}", headers=headers)
			rpc = client.get(API + "frappe.client.get_list?doctype=Patient", headers=headers)
			page = client.get("/portal/change-password", headers=headers)
			weak = client.post(
				API + "portal_onboarding.api.password.change_password",
				data={"new_password": "abc"},
				headers=headers,
			)
			changed = client.post(
				API + "portal_onboarding.api.password.change_password",
				data={"new_password": new_password},
				headers=headers,
			)
			after = client.get("/portal", headers=headers)
			return [login, portal, me, resource, rpc, page, weak, changed, after]

		login, portal, me, resource, rpc, page, weak, changed, after = in_own_thread(work)
		self.assertEqual(login.status_code, 200, login.get_data(as_text=True))
		for response in (portal, me):
			self.assertEqual(response.status_code, 303)
			self.assertTrue(response.headers["Location"].endswith("/portal/change-password"))
		for response in (resource, rpc):
			self.assertEqual(response.status_code, 403)
			self.assertNotIn(patient.patient_name, response.get_data(as_text=True))
		self.assertEqual(page.status_code, 200)
		self.assertIn("Choose a new password", page.get_data(as_text=True))
		self.assertFalse(weak.json["message"]["ok"])
		self.assertTrue(changed.json["message"]["ok"], changed.get_data(as_text=True))
		self.assertEqual(after.status_code, 200)
		self.assertIn(patient.patient_name, after.get_data(as_text=True))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "force_password_change"), 0)


class TestSuspensionOverHttp(CommittedCase):
	def test_an_open_session_is_refused_at_its_next_request(self):
		patient = self.patient()
		account, user = self.active_login(patient.name)
		password = strong_password()
		from frappe.utils.password import update_password

		update_password(user, password)
		manager = self.user(["System Manager", MANAGER_ROLE])
		frappe.db.commit()

		def work():
			client, headers = browser()
			admin, _ = browser()
			client.post(API + "login", data={"usr": user, "pwd": password}, headers=headers)
			before = client.get("/portal", headers=headers)
			admin.post(API + "login", data={"usr": manager[0], "pwd": manager[1]}, headers=headers)
			suspended = admin.post(
				API + "portal_onboarding.api.account.suspend",
				data={"account": account, "reason": "Reported lost device"},
				headers=headers,
			)
			who = client.get(API + "frappe.auth.get_logged_user", headers=headers)
			after = client.get("/portal", headers=headers)
			return [before, suspended, who, after]

		before, suspended, who, after = in_own_thread(work)
		self.assertEqual(before.status_code, 200)
		self.assertIn(patient.patient_name, before.get_data(as_text=True))
		self.assertEqual(suspended.status_code, 200, suspended.get_data(as_text=True))
		self.assertEqual(suspended.json["message"]["status"], AccountStatus.SUSPENDED)
		self.assertEqual(who.status_code, 403)  # a guest now: the old cookie names no session
		self.assertNotIn(user, who.get_data(as_text=True))
		self.assertIn(after.status_code, (301, 302))
		self.assertIn("/login", after.headers["Location"])
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(PATIENT, patient.name, "portal_status"), AccountStatus.SUSPENDED)

	def test_a_website_user_calling_the_actions_over_http_gets_403(self):
		patient = self.patient()
		account, user = self.active_login(patient.name)
		password = strong_password()
		from frappe.utils.password import update_password

		update_password(user, password)
		frappe.db.commit()
		actions = [
			"suspend",
			"reactivate",
			"send_password_reset",
			"set_credentials",
			"remove_login",
			"mark_pending_delete",
		]

		def work():
			client, headers = browser()
			client.post(API + "login", data={"usr": user, "pwd": password}, headers=headers)
			return [
				client.post(
					API + f"portal_onboarding.api.account.{action}",
					data={"account": account, "reason": "x"},
					headers=headers,
				)
				for action in actions
			]

		for action, response in zip(actions, in_own_thread(work), strict=True):
			self.assertEqual(response.status_code, 403, action)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), AccountStatus.ACTIVE)
