"""A form requested through the portal, in the browser: an admin requests the intake form from the
Patient, the patient finds it in the portal's Forms section and sends it, and the Patient shows it done."""

import pytest

import frappe
from frappe.utils.password import update_password

from portal_onboarding.constants import ACCOUNT, FORM_REQUEST, MANAGER_ROLE
from portal_onboarding.invitations import portal_access, sending
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import open_portal_action, signed_in_page
from tests.e2e.test_account_management import portal_sign_in
from tests.integration.factories import (
	INTAKE_DOCTYPE,
	JobRecorder,
	accept_link,
	activation_key,
	delete_user,
	ensure_intake_form,
	make_eligible_patient,
	make_user,
	purge_patient,
	strong_password,
	unique,
)


@pytest.fixture
def clinic(outgoing_mail):
	"""A manager, the intake web form, and a patient with an Active login permitting Forms."""
	manager = make_user(["System Manager", MANAGER_ROLE])
	web_form = ensure_intake_form()
	patient = make_eligible_patient()
	with JobRecorder() as jobs:
		account, invitation = sending.invite(patient.name)
		jobs.run()
	username, password = unique("pat."), strong_password()
	assert accept_link(activation_key(invitation.name), username=username)["ok"]
	portal_access.set_permitted_sections(account.name, ["Appointments", "Forms"])
	update_password(frappe.db.get_value(ACCOUNT, account.name, "user"), password)
	frappe.db.commit()
	yield manager, web_form, patient, (username, password)
	frappe.db.rollback()
	frappe.db.delete(FORM_REQUEST, {"patient": patient.name})
	frappe.db.delete(INTAKE_DOCTYPE, {"patient": patient.name})
	frappe.db.commit()
	purge_patient(patient.name)
	delete_user(manager[0])


def test_admin_requests_the_intake_form_the_patient_sends_it_the_patient_shows_it_done(
	browser, base_url, clinic
):
	(manager_email, manager_password), web_form, patient, (username, password) = clinic
	admin, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	dialog = open_portal_action(desk, base_url, patient.name, "Request a form")
	dialog.locator("select[data-fieldname='web_form']").select_option(web_form)
	desk.wait_for_timeout(400)  # the dialog's fade-in, for the screenshot
	desk.screenshot(path=str(SCREENSHOTS / "desk-request-form.png"))
	dialog.locator("button.btn-primary", has_text="Request").click()
	desk.locator("[data-portal-forms] .indicator-pill", has_text="Requested").wait_for()

	person = browser.new_context(viewport={"width": 420, "height": 860})
	page = person.new_page()
	page.set_default_timeout(30_000)
	portal_sign_in(page, base_url, username, password)
	page.wait_for_url("**/portal")
	page.locator("[data-forms-waiting]", has_text="1 form(s) to fill in").wait_for()
	page.locator(".portal-nav [data-section='Forms']").click()
	page.wait_for_url("**/portal/forms")
	page.locator("[data-fill-in]").wait_for()
	page.screenshot(path=str(SCREENSHOTS / "portal-forms-to-do.png"))
	page.locator("[data-fill-in]").click()
	page.wait_for_url("**/portal-test-intake/new")
	allergies = unique("penicillin-")
	page.locator("[data-fieldname='reason_for_visit'] textarea").fill("Yearly check-up")
	page.locator("[data-fieldname='allergies'] input").fill(allergies)
	page.locator(".submit-btn").first.click()
	page.locator(".success-page, .web-form-message, .success-title").first.wait_for()
	page.goto(f"{base_url}/portal/forms")
	page.locator("[data-form-sent]", has_text="Portal Test Intake").wait_for()
	page.screenshot(path=str(SCREENSHOTS / "portal-forms-sent.png"))
	person.close()

	desk.reload()
	desk.locator("[data-portal-forms] .indicator-pill", has_text="Submitted").wait_for()
	desk.locator("[data-portal-forms]").scroll_into_view_if_needed()
	desk.screenshot(path=str(SCREENSHOTS / "desk-patient-form-submitted.png"))
	admin.close()

	frappe.db.rollback()
	(document,) = frappe.get_all(INTAKE_DOCTYPE, filters={"allergies": allergies}, fields=["name", "patient"])
	assert document.patient == patient.name
	request = frappe.get_doc(FORM_REQUEST, {"patient": patient.name})
	assert (request.status, request.reference_name) == ("Submitted", document.name)
