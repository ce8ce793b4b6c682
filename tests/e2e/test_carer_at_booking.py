"""The front desk books an appointment for a new patient whose parent will look after the portal
account: the booking screen's New Patient dialog takes the parent's details, and the parent, not the
patient, gets the invitation once the save commits."""

import pytest

import frappe

from portal_onboarding.constants import (
	ACCOUNT,
	CARER_ACCESS_FIELD,
	CARER_FIELDS,
	INVITATION,
	MANAGER_ROLE,
	PATIENT,
	AccessType,
	AccountStatus,
)
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import signed_in_page
from tests.e2e.rq_jobs import run_queued_job
from tests.integration.factories import make_user, purge_patient, queued_mails, unique


@pytest.fixture
def front_desk(outgoing_mail):
	# The front desk books appointments (Marley's role) and gives portal access (the app's).
	manager = make_user(["Nursing User", MANAGER_ROLE])
	frappe.db.commit()
	made: list[str] = []
	yield manager, made
	frappe.db.rollback()
	for patient in made:
		purge_patient(patient)
	frappe.delete_doc("User", manager[0], force=True, ignore_permissions=True)
	frappe.db.commit()


def test_a_new_patient_at_booking_with_a_parent_for_the_portal(browser, base_url, front_desk):
	(email, password), made = front_desk
	context, desk = signed_in_page(browser, base_url, email, password)
	desk.goto(f"{base_url}/app/patient-appointment/new")
	first_name = unique("Kid").capitalize()
	field = desk.locator("[data-fieldname='patient'] input").first
	field.wait_for()
	field.fill(first_name)
	desk.locator(".awesomplete [role='option']", has_text="Create a new Patient").click()
	dialog = desk.locator(".modal.show")
	dialog.locator("[data-fieldname='first_name'] input").wait_for()
	# The app's own toggle, never Marley's "Invite as User".
	assert dialog.locator("div.frappe-control[data-fieldname='invite_user']").count() == 0
	dialog.locator("div.frappe-control[data-fieldname='send_portal_invitation']").wait_for()
	dialog.locator("[data-fieldname='first_name'] input").fill(first_name)
	dialog.locator("[data-fieldname='last_name'] input").fill("Tester")
	sex = dialog.locator("[data-fieldname='sex'] input")
	sex.click()
	sex.press_sequentially("Fem", delay=100)
	desk.locator(".awesomplete [role='option']", has_text="Female").first.click()
	dialog.locator("[data-fieldname='dob'] input").fill("03-04-2018")
	dialog.locator(".modal-title").click()  # closes the date picker, not the dialog
	# The home address (Marley makes it from the quick entry): its ZIP code is what the settings require.
	dialog.locator(".section-head", has_text="Primary Address").click()
	dialog.locator("[data-fieldname='address_line1'] input").fill("1 Main Street")
	dialog.locator("[data-fieldname='city'] input").fill("Springfield")
	dialog.locator("[data-fieldname='pincode'] input").fill("90210")
	country = dialog.locator("[data-fieldname='country'] input")
	country.click()
	country.press_sequentially("United Sta", delay=100)
	desk.locator(".awesomplete [role='option']", has_text="United States").first.click()
	carer_email = f"{unique('parent')}@example.com"
	assert dialog.locator("div.frappe-control[data-fieldname='portal_carer_email']").is_hidden(), (
		"shown only when ticked"
	)
	dialog.locator("input[data-fieldname='portal_carer_access']").check()
	dialog.locator("[data-fieldname='portal_carer_first_name'] input").fill("Paula")
	dialog.locator("[data-fieldname='portal_carer_last_name'] input").fill("Parent")
	dialog.locator("[data-fieldname='portal_carer_email'] input").fill(carer_email)
	dialog.locator("[data-fieldname='portal_carer_relation'] select").select_option("Parent")
	dialog.screenshot(path=str(SCREENSHOTS / "desk-new-patient-with-carer.png"))

	# A bad email is refused at save with what to do; nothing is saved.
	dialog.locator("[data-fieldname='portal_carer_email'] input").fill("paula-at-example")
	dialog.locator(".modal-footer .btn-primary").click()
	message = desk.locator(".modal.show .msgprint", has_text="is not valid")
	message.wait_for()
	assert "untick" in message.inner_text()
	frappe.db.rollback()
	assert not frappe.db.exists(PATIENT, {"first_name": first_name})
	desk.locator(".modal.show").filter(has=desk.locator(".msgprint")).locator(".btn-modal-close").click()
	dialog.locator("[data-fieldname='portal_carer_email'] input").fill(carer_email)
	dialog.locator(".modal-footer .btn-primary").click()
	dialog.wait_for(state="hidden")

	frappe.db.rollback()
	patient = frappe.db.get_value(PATIENT, {"first_name": first_name}, "name")
	assert patient, "the patient was saved from the booking screen"
	made.append(patient)
	run_queued_job(f"portal_onboarding:carer:{patient}")
	frappe.db.rollback()
	account = frappe.db.get_value(
		ACCOUNT, {"patient": patient}, ["name", "access_type", "status", "contact_email"], as_dict=True
	)
	assert (account.access_type, account.status, account.contact_email) == (
		AccessType.REPRESENTATIVE,
		AccountStatus.INVITED,
		carer_email,
	)
	invitation = frappe.db.get_value(INVITATION, {"account": account.name}, "name")
	run_queued_job(f"portal_onboarding:invitation:{invitation}")
	frappe.db.rollback()
	(mail,) = queued_mails(invitation)
	assert mail["recipients"] == [carer_email]
	stored = frappe.db.get_value(PATIENT, patient, [CARER_ACCESS_FIELD, *CARER_FIELDS], as_dict=True)
	assert set(stored.values()) == {0, None}, "the account holds the parent's details now"
	context.close()
