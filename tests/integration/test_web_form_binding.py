"""A web form submission's Patient link, through Frappe's web form submit as a browser sends it: only a
request binds it, nobody else on the website names it, and no web form edit ever changes it after."""

import json
from typing import Any

import frappe

from portal_onboarding.api import forms as forms_api
from portal_onboarding.api import web_form as web_form_api
from portal_onboarding.constants import FORM_REQUEST, FormRequestStatus
from portal_onboarding.forms import requests
from portal_onboarding.security.portal_gate import is_portal_login
from tests.integration.factories import INTAKE_DOCTYPE, ensure_intake_form, unique
from tests.integration.test_form_requests import FormCase

ACCEPT = "frappe.website.doctype.web_form.web_form.accept"
EDIT_ROUTE = "portal-test-intake-edit"
NAMES_PATIENT = "Only your clinic can choose the patient"
REPOINTED = "patient of a sent form cannot be changed"


def ensure_edit_form() -> str:
	"""The intake doctype's second web form, with Allow Edit and the Patient field on it, as a clinic
	might make one; returns its name. Made once per site and committed."""
	ensure_intake_form()
	name = frappe.db.get_value("Web Form", {"route": EDIT_ROUTE})
	if name:
		return name
	name = (
		frappe.get_doc(
			{
				"doctype": "Web Form",
				"title": "Portal Test Intake Edit",
				"route": EDIT_ROUTE,
				"doc_type": INTAKE_DOCTYPE,
				"module": "Custom",
				"is_standard": 0,
				"published": 1,
				"login_required": 1,
				"allow_edit": 1,
				"allow_multiple": 1,
				"web_form_fields": [
					{"fieldname": "patient", "fieldtype": "Link", "options": "Patient", "label": "Patient"},
					{"fieldname": "allergies", "fieldtype": "Data", "label": "Allergies"},
				],
			}
		)
		.insert(ignore_permissions=True)
		.name
	)
	frappe.db.commit()
	return name


def send(user: str, web_form: str, **values: Any) -> Any:
	"""Submit (or, with `name`, edit) through our web form submit, signed in as `user`."""
	data = json.dumps({"doctype": INTAKE_DOCTYPE, **values})
	frappe.set_user(user)
	frappe.local.form_dict = frappe._dict(cmd=ACCEPT, web_form=web_form, data=data)
	try:
		return web_form_api.accept(web_form, data)
	finally:
		# Frappe's accept leaves the flag set for the rest of the request; a test goes on after it.
		frappe.flags.in_web_form = False
		frappe.set_user("Administrator")


def stored(name: str) -> tuple[str | None, str | None]:
	return frappe.db.get_value(INTAKE_DOCTYPE, name, ["patient", "allergies"])


def documents_of(patient: str) -> list[str]:
	return frappe.get_all(INTAKE_DOCTYPE, filters={"patient": patient}, pluck="name")


class TestWebFormBinding(FormCase):
	def setUp(self):
		super().setUp()
		self.edit_form = ensure_edit_form()

	def outsider(self) -> str:
		"""A website user of the site (a customer) with no Patient role and no portal account."""
		user, _password = self.user(["Customer"], user_type="Website User")
		self.assertFalse(is_portal_login(user))
		return user

	def staff(self) -> str:
		user, _password = self.user(["System Manager"])
		self.assertEqual(frappe.db.get_value("User", user, "user_type"), "System User")
		return user

	def test_a_website_user_outside_the_portal_or_a_guest_cannot_name_a_patient(self):
		victim = self.patient()
		outsider = self.outsider()
		marker = unique("allergy-")
		with self.assertRaises(frappe.PermissionError) as refused:
			send(outsider, self.edit_form, patient=victim.name, allergies=marker)
		self.assertIn(NAMES_PATIENT, str(refused.exception))

		open_form = frappe.copy_doc(frappe.get_doc("Web Form", self.edit_form))
		open_form.update(
			{"title": unique("Open Intake "), "route": unique("open-intake-"), "login_required": 0}
		)
		open_form.insert(ignore_permissions=True)  # never committed: the test's rollback removes it
		with self.assertRaises(frappe.PermissionError) as refused:
			send("Guest", open_form.name, patient=victim.name, allergies=marker)
		self.assertIn(NAMES_PATIENT, str(refused.exception))

		self.assertEqual(frappe.get_all(INTAKE_DOCTYPE, filters={"allergies": marker}), [])
		self.assertEqual(documents_of(victim.name), [])

	def test_the_owner_cannot_re_point_a_document_after_the_binding(self):
		own, other = self.patient(), self.patient()
		outsider = self.outsider()
		sent = send(outsider, self.edit_form, allergies="pollen")
		self.assertEqual(sent.owner, outsider)
		self.assertFalse(sent.patient)
		# The clinic binds it to its patient at the desk.
		doc = frappe.get_doc(INTAKE_DOCTYPE, sent.name)
		doc.patient = own.name
		doc.save()

		with self.assertRaises(frappe.PermissionError) as refused:
			send(outsider, self.edit_form, name=sent.name, patient=other.name, allergies="none")
		self.assertIn(REPOINTED, str(refused.exception))
		with self.assertRaises(frappe.PermissionError):
			send(outsider, self.edit_form, name=sent.name, patient="", allergies="none")
		self.assertEqual(stored(sent.name), (own.name, "pollen"))
		self.assertEqual(documents_of(other.name), [])

		# What Allow Edit is for still works: the owner's own answers, the patient as it was.
		send(outsider, self.edit_form, name=sent.name, patient=own.name, allergies="none")
		self.assertEqual(stored(sent.name), (own.name, "none"))

	def test_a_portal_login_cannot_re_point_its_bound_submission(self):
		patient, user, _password = self.portal_patient()
		other, _user, _password2 = self.portal_patient()
		request = forms_api.request_form(patient.name, self.edit_form)["request"]
		theirs = forms_api.request_form(other.name, self.edit_form)["request"]
		frappe.set_user(user)
		try:
			forms_api.start(request)
		finally:
			frappe.set_user("Administrator")
		self.addCleanup(frappe.cache.delete_value, requests.STARTED_KEY.format(sid=user))

		sent = send(user, self.edit_form, patient=other.name, allergies="pollen")
		self.assertEqual(stored(sent.name), (patient.name, "pollen"))  # bound by the request
		with self.assertRaises(frappe.PermissionError) as refused:
			send(user, self.edit_form, name=sent.name, patient=other.name, allergies="none")
		self.assertIn("not available to you", str(refused.exception))

		self.assertEqual(stored(sent.name), (patient.name, "pollen"))
		self.assertEqual(
			frappe.db.get_value(FORM_REQUEST, request, ["status", "reference_name"]),
			(FormRequestStatus.SUBMITTED, sent.name),
		)
		self.assertEqual(frappe.db.get_value(FORM_REQUEST, theirs, "status"), FormRequestStatus.REQUESTED)
		self.assertEqual(documents_of(other.name), [])

	def test_staff_cannot_re_point_a_document_through_the_web_form(self):
		own, other = self.patient(), self.patient()
		nurse = self.staff()
		sent = send(nurse, self.edit_form, patient=own.name, allergies="pollen")
		with self.assertRaises(frappe.PermissionError) as refused:
			send(nurse, self.edit_form, name=sent.name, patient=other.name, allergies="none")
		self.assertIn(REPOINTED, str(refused.exception))
		self.assertEqual(stored(sent.name), (own.name, "pollen"))
		self.assertEqual(documents_of(other.name), [])

	def test_what_stays_allowed_still_goes_through(self):
		own = self.patient()
		outsider, nurse = self.outsider(), self.staff()
		blank = send(outsider, self.edit_form, allergies="dust")
		self.assertEqual(blank.owner, outsider)
		self.assertFalse(blank.patient)
		staffs = send(nurse, self.edit_form, patient=own.name, allergies="latex")
		self.assertEqual(stored(staffs.name), (own.name, "latex"))
		# At the desk, staff keep Frappe's own permissions: correcting a patient there is theirs to do.
		frappe.set_user(nurse)
		try:
			doc = frappe.get_doc(INTAKE_DOCTYPE, blank.name)
			doc.patient = own.name
			doc.save()
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(stored(blank.name), (own.name, "dust"))
