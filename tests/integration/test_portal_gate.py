"""The request gate over HTTP: a portal login reaches its portal and nothing else of the site; staff
and the site's other website users are not touched; web forms take only what the portal asked for."""

import json
from urllib.parse import quote

from werkzeug.test import Client

import frappe

from portal_onboarding.permissions import patient_website_permission
from portal_onboarding.security.portal_gate import is_portal_login
from tests.integration.factories import INTAKE_DOCTYPE, ensure_intake_form, http_guest, in_own_thread
from tests.integration.test_portal import PortalCase
from tests.site import site_name

API = "/api/method/"


def as_login(user: str, password: str, requests: list[tuple[str, str, dict | None]]) -> list:
	def work() -> list:
		from frappe.app import application

		client = Client(application)
		headers = {"Host": site_name()}
		login = client.post(API + "login", data={"usr": user, "pwd": password}, headers=headers)
		assert login.status_code == 200, login.get_data(as_text=True)
		return [
			client.open(path, method=method, data=data, headers=headers) for method, path, data in requests
		]

	return in_own_thread(work)


def restore_allow_edit(web_form: str) -> None:
	frappe.db.rollback()
	frappe.db.set_value("Web Form", web_form, "allow_edit", 0)
	frappe.db.commit()


class TestPortalGate(PortalCase):
	def test_a_portal_login_reaches_its_portal_and_nothing_else(self):
		own = self.patient()
		other = self.patient()
		_account, user, password = self.login_with_password(own.name)
		self.assertTrue(is_portal_login(user))
		refused = [
			(
				"POST",
				API + "healthcare.healthcare.utils.render_doc_as_html",
				{"doctype": "Patient", "docname": other.name},
			),
			(
				"POST",
				API + "healthcare.healthcare.doctype.patient.patient.get_patient_detail",
				{"patient": other.name},
			),
			("POST", API + "healthcare.healthcare.utils.get_patient_vitals", {"patient": other.name}),
			("POST", API + "frappe.client.get", {"doctype": "Patient", "name": own.name}),
			("GET", f"/api/resource/Patient/{quote(own.name)}", None),
			("GET", f"/api/v2/document/Patient/{quote(own.name)}", None),
			("POST", API + "run_doc_method", {"dt": "Patient", "dn": own.name, "method": "onload"}),
		]
		allowed = [
			("GET", "/portal", None),
			("GET", "/portal/appointments", None),
			("POST", API + "portal_onboarding.api.portal.choose_patient", {"patient": own.name}),
			("GET", API + "frappe.auth.get_logged_user", None),
		]
		answers = as_login(user, password, refused + allowed)
		for (method, path, _data), response in zip(refused, answers[: len(refused)], strict=True):
			body = response.get_data(as_text=True)
			self.assertEqual(response.status_code, 403, f"{method} {path}: {body[-300:]}")
			self.assertNotIn(other.email, body)
		for (method, path, _data), response in zip(allowed, answers[len(refused) :], strict=True):
			self.assertEqual(response.status_code, 200, f"{method} {path}")

	def test_staff_and_other_website_users_are_not_the_gates_business(self):
		nurse, nurse_password = self.user(["Nursing User"])
		customer, customer_password = self.user(["Customer"], user_type="Website User")
		frappe.db.commit()
		self.assertFalse(is_portal_login(customer))
		(staff_answer,) = as_login(
			nurse, nurse_password, [("POST", API + "frappe.client.get_count", {"doctype": "Patient"})]
		)
		self.assertEqual(staff_answer.status_code, 200, staff_answer.get_data(as_text=True)[-300:])
		(customer_answer,) = as_login(
			customer, customer_password, [("POST", API + "frappe.utils.change_log.get_versions", None)]
		)
		self.assertNotEqual(customer_answer.status_code, 403)


class TestWebForms(PortalCase):
	def test_a_guest_cannot_submit_marleys_unpublished_registration_form(self):
		marker = frappe.generate_hash(length=10)
		before = frappe.db.count("Patient")
		(answer,) = http_guest(
			site_name(),
			[
				(
					"POST",
					API + "frappe.website.doctype.web_form.web_form.accept",
					{
						"web_form": "patient-registration",
						"data": json.dumps({"doctype": "Patient", "first_name": marker, "sex": "Female"}),
					},
				)
			],
		)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Web Form", "patient-registration", "published"), 0)
		self.assertEqual(answer.status_code, 403, answer.get_data(as_text=True)[-300:])
		self.assertFalse(frappe.db.exists("Patient", {"first_name": marker}))
		self.assertEqual(frappe.db.count("Patient"), before)

	def test_a_portal_login_cannot_book_through_marleys_appointment_form(self):
		own = self.patient()
		other = self.patient()
		_account, user, password = self.login_with_password(own.name)
		before = frappe.db.count("Patient Appointment", {"patient": ("in", [own.name, other.name])})
		data = {"doctype": "Patient Appointment", "patient": other.name, "appointment_date": "2030-01-02"}
		(answer,) = as_login(
			user,
			password,
			[
				(
					"POST",
					API + "frappe.website.doctype.web_form.web_form.accept",
					{"web_form": "patient-appointments", "data": json.dumps(data)},
				)
			],
		)
		frappe.db.rollback()
		self.assertIn(answer.status_code, (403, 417), answer.get_data(as_text=True)[-300:])
		self.assertIn("Forms page", answer.get_data(as_text=True))
		self.assertEqual(
			frappe.db.count("Patient Appointment", {"patient": ("in", [own.name, other.name])}), before
		)

	def test_a_portal_login_never_edits_a_patient_linked_document_through_a_web_form(self):
		own = self.patient()
		other = self.patient()
		_account, user, password = self.login_with_password(own.name)
		web_form = ensure_intake_form()
		frappe.db.set_value("Web Form", web_form, "allow_edit", 1)
		self.addCleanup(restore_allow_edit, web_form)
		intake = frappe.get_doc({"doctype": INTAKE_DOCTYPE, "patient": own.name, "allergies": "none"})
		intake.insert(ignore_permissions=True)
		frappe.db.set_value(INTAKE_DOCTYPE, intake.name, "owner", user)  # the login's own document
		frappe.db.commit()
		self.addCleanup(frappe.db.delete, INTAKE_DOCTYPE, {"name": intake.name})
		data = {"doctype": INTAKE_DOCTYPE, "name": intake.name, "patient": other.name, "allergies": "changed"}
		(answer,) = as_login(
			user,
			password,
			[
				(
					"POST",
					API + "frappe.website.doctype.web_form.web_form.accept",
					{"web_form": web_form, "data": json.dumps(data)},
				)
			],
		)
		frappe.db.rollback()
		self.assertEqual(answer.status_code, 403, answer.get_data(as_text=True)[-300:])
		self.assertEqual(
			frappe.db.get_value(INTAKE_DOCTYPE, intake.name, ["patient", "allergies"]), (own.name, "none")
		)

	def test_a_grant_reads_but_never_writes(self):
		own = self.patient()
		_account, user, _password = self.login_with_password(own.name)
		doc = frappe.get_doc("Patient", own.name)
		self.assertTrue(patient_website_permission(doc, "read", user))
		for ptype in ("write", "create", "delete", "submit"):
			self.assertFalse(patient_website_permission(doc, ptype, user), ptype)
