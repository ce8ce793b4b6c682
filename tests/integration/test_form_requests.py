"""Forms requested through the portal, on a real site: staff request a web form, the person sees it in
the portal's Forms section and sends it through the web form, the Patient shows it done."""

import json

import frappe
from frappe.utils import add_days, getdate

from portal_onboarding.api import forms as forms_api
from portal_onboarding.constants import ACCOUNT, EVENT, FORM_REQUEST, EventType, FormRequestStatus
from portal_onboarding.exceptions import InvalidAccount
from portal_onboarding.forms import requests
from tests.integration.factories import (
	INTAKE_DOCTYPE,
	ensure_intake_form,
	queued_mails,
	unique,
)
from tests.integration.test_portal import PortalCase, permit, shows

S = FormRequestStatus
WITH_FORMS = ["Appointments", "Forms"]
ACCEPT = "/api/method/frappe.website.doctype.web_form.web_form.accept"
START = "/api/method/portal_onboarding.api.forms.start"


def submission(web_form: str, **values) -> dict:
	return {"web_form": web_form, "data": json.dumps({"doctype": INTAKE_DOCTYPE, **values})}


def intakes(marker: str) -> list:
	frappe.db.rollback()
	return frappe.get_all(INTAKE_DOCTYPE, filters={"allergies": marker}, fields=["name", "patient", "owner"])


class FormCase(PortalCase):
	def setUp(self):
		super().setUp()
		self.web_form = ensure_intake_form()

	def tearDown(self):
		frappe.db.rollback()
		frappe.db.delete(FORM_REQUEST, {"patient": ("in", self.patients or [""])})
		frappe.db.delete(INTAKE_DOCTYPE, {"owner": ("in", self.users or [""])})
		frappe.db.delete(INTAKE_DOCTYPE, {"patient": ("in", self.patients or [""])})
		frappe.db.commit()
		frappe.cache.delete_value(requests.REQUESTED_DOCTYPES_KEY)
		super().tearDown()

	def portal_patient(self, sections=WITH_FORMS):
		"""A patient with an Active Self login permitting `sections`; (patient, user, password)."""
		patient = self.patient()
		_account, user, password = self.login_with_password(patient.name)
		permit(patient.name, sections)
		self.users.append(user)
		return patient, user, password


class TestRequesting(FormCase):
	def test_refusals_are_clear_and_make_nothing(self):
		bare = self.patient()
		no_forms, _user, _password = self.portal_patient(["Appointments"])
		with_forms, _user2, _password2 = self.portal_patient()
		frappe.db.set_value("Web Form", self.web_form, "published", 0)
		cases = [
			(bare.name, self.web_form, None, "no portal account"),
			(no_forms.name, self.web_form, None, "permits the Forms section"),
			(with_forms.name, self.web_form, None, "must be published and require login"),
		]
		try:
			for patient, web_form, due, message in cases:
				with self.assertRaises(InvalidAccount) as refused:
					forms_api.request_form(patient, web_form, due)
				self.assertIn(message, str(refused.exception))
		finally:
			frappe.db.set_value("Web Form", self.web_form, "published", 1)
		yesterday = str(add_days(getdate(), -1))
		with self.assertRaises(InvalidAccount) as refused:
			forms_api.request_form(with_forms.name, self.web_form, yesterday)
		self.assertIn("cannot be in the past", str(refused.exception))
		self.assertEqual(frappe.db.count(FORM_REQUEST, {"patient": ("in", self.patients)}), 0)

		forms_api.request_form(with_forms.name, self.web_form, str(add_days(getdate(), 7)))
		with self.assertRaises(InvalidAccount) as refused:
			forms_api.request_form(with_forms.name, self.web_form)
		self.assertIn("already requested", str(refused.exception))
		self.assertEqual(frappe.db.count(FORM_REQUEST, {"patient": with_forms.name}), 1)

	def test_a_request_is_audited_and_mailed_without_naming_the_form(self):
		patient, _user, _password = self.portal_patient()
		result = forms_api.request_form(patient.name, self.web_form)
		doc = frappe.get_doc(FORM_REQUEST, result["request"])
		self.assertEqual(
			(doc.status, doc.form_title, doc.requested_by),
			(S.REQUESTED, "Portal Test Intake", "Administrator"),
		)
		(mail,) = queued_mails(doc.name, FORM_REQUEST)
		contact = frappe.db.get_value(ACCOUNT, {"patient": patient.name}, "contact_email")
		self.assertEqual(mail["recipients"], [contact])
		self.assertIn("/portal/forms", mail["html"])
		self.assertNotIn("Intake", mail["html"] + mail["subject"])
		self.assertTrue(
			frappe.db.exists(EVENT, {"event_type": EventType.FORM_REQUESTED, "patient": patient.name})
		)

	def test_only_managers_request_and_cancel(self):
		patient, user, _password = self.portal_patient()
		request = forms_api.request_form(patient.name, self.web_form)["request"]
		frappe.set_user(user)
		try:
			for action in (
				lambda: forms_api.request_form(patient.name, self.web_form),
				lambda: forms_api.cancel_request(request, "no"),
			):
				with self.assertRaises(frappe.PermissionError):
					action()
		finally:
			frappe.set_user("Administrator")
		with self.assertRaises(InvalidAccount):
			forms_api.cancel_request(request, " ")
		self.assertEqual(forms_api.cancel_request(request, "Filled in on paper")["status"], S.CANCELLED)
		with self.assertRaises(InvalidAccount):
			forms_api.cancel_request(request, "again")
		self.assertTrue(
			frappe.db.exists(EVENT, {"event_type": EventType.FORM_REQUEST_CANCELLED, "patient": patient.name})
		)
		(row,) = forms_api.patient_requests(patient.name)
		self.assertEqual(row["status"], S.CANCELLED)


class TestThroughThePortal(FormCase):
	def test_the_person_sends_the_form_once_and_the_patient_shows_it_done(self):
		patient, user, password = self.portal_patient()
		other = self.patient()
		request = forms_api.request_form(patient.name, self.web_form)["request"]
		frappe.db.commit()
		marker = unique("allergy-")
		sneaky = submission(self.web_form, reason_for_visit="Check-up", allergies=marker, patient=other.name)
		home, forms_page, started, sent, again, after = self.get(
			user,
			password,
			[
				("GET", "/portal", None),
				("GET", "/portal/forms", None),
				("POST", START, {"request": request}),
				("POST", ACCEPT, sneaky),
				("POST", ACCEPT, sneaky),
				("GET", "/portal/forms", None),
			],
		)
		self.assertTrue(shows(home, "You have 1 form(s) to fill in."))
		self.assertTrue(shows(forms_page, "Portal Test Intake"))
		self.assertTrue(shows(forms_page, f'data-fill-in="{request}"'))
		self.assertEqual(started.get_json()["message"]["redirect_to"], "/portal-test-intake/new")
		self.assertEqual(sent.status_code, 200, sent.get_data(as_text=True)[:300])
		self.assertNotEqual(again.status_code, 200)
		self.assertIn("already sent this form", again.get_data(as_text=True))
		self.assertTrue(shows(after, f'data-form-sent="{request}"'))
		self.assertFalse(shows(after, f'data-fill-in="{request}"'))

		(document,) = intakes(marker)
		self.assertEqual(document.patient, patient.name)  # from the request, not from what was sent
		doc = frappe.get_doc(FORM_REQUEST, request)
		self.assertEqual(
			(doc.status, doc.reference_doctype, doc.reference_name, doc.submitted_by),
			(S.SUBMITTED, INTAKE_DOCTYPE, document.name, user),
		)
		self.assertTrue(
			frappe.db.exists(EVENT, {"event_type": EventType.FORM_SUBMITTED, "patient": patient.name})
		)
		(row,) = forms_api.patient_requests(patient.name)
		self.assertEqual((row["status"], row["reference_name"]), (S.SUBMITTED, document.name))

	def test_a_form_not_opened_from_the_portal_or_not_granted_is_refused(self):
		patient, user, password = self.portal_patient()
		stranger, _user, _password = self.portal_patient()
		mine = forms_api.request_form(patient.name, self.web_form)["request"]
		theirs = forms_api.request_form(stranger.name, self.web_form)["request"]
		frappe.db.commit()
		marker = unique("allergy-")
		direct, foreign, foreign_page = self.get(
			user,
			password,
			[
				("POST", ACCEPT, submission(self.web_form, allergies=marker, patient=patient.name)),
				("POST", START, {"request": theirs}),
				("GET", "/portal/forms", None),
			],
		)
		self.assertEqual(direct.status_code, 403)
		self.assertIn("Forms page of the patient portal", direct.get_data(as_text=True))
		self.assertEqual(foreign.status_code, 403)
		self.assertFalse(shows(foreign_page, theirs))
		self.assertTrue(shows(foreign_page, mine))
		self.assertEqual(intakes(marker), [])
		self.assertEqual(frappe.db.get_value(FORM_REQUEST, theirs, "status"), S.REQUESTED)

	def test_without_the_forms_section_the_page_is_absent_and_refused(self):
		_patient, user, password = self.portal_patient(["Appointments"])
		frappe.db.commit()
		home, forms_page = self.get(
			user, password, [("GET", "/portal", None), ("GET", "/portal/forms", None)]
		)
		self.assertEqual(home.status_code, 200)
		self.assertFalse(shows(home, "/portal/forms"))
		self.assertEqual(forms_page.status_code, 403)

	def test_a_cancelled_request_leaves_the_list_and_cannot_be_started(self):
		patient, user, password = self.portal_patient()
		request = forms_api.request_form(patient.name, self.web_form)["request"]
		forms_api.cancel_request(request, "No longer needed")
		frappe.db.commit()
		page, started = self.get(
			user, password, [("GET", "/portal/forms", None), ("POST", START, {"request": request})]
		)
		self.assertFalse(shows(page, request))
		self.assertNotEqual(started.status_code, 200)
		self.assertIn("no longer requested", started.get_data(as_text=True))
