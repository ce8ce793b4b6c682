"""Self-service in the browser: signing up from the sign-in page and landing on the portal for the
matched patient, a manager approving a sign-up that waited, and "Forgot password?" to a new password."""

import re

import pytest
from playwright.sync_api import expect

import frappe

from portal_onboarding.api import password as password_api
from portal_onboarding.api import registration as registration_api
from portal_onboarding.constants import ACCOUNT, MANAGER_ROLE, REGISTRATION, SETTINGS, AccountStatus
from portal_onboarding.invitations import sending
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import signed_in_page
from tests.e2e.rq_jobs import run_queued_job
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	delete_user,
	make_eligible_patient,
	make_user,
	purge_patient,
	queued_mails,
	strong_password,
	unique,
)


def mailed_path(html: str, path: str) -> str:
	"""The link in a mail, as the site-relative path (with its #key fragment) the person follows."""
	match = re.search(rf'href="[^"]*({re.escape(path)}#key=[A-Za-z0-9_\-]+)"', html)
	assert match, "no link to " + path
	return match.group(1)


@pytest.fixture
def clinic(outgoing_mail):
	"""A manager and an eligible patient, committed; sign-ups open patients at once while it runs."""
	manager = make_user(["System Manager", MANAGER_ROLE])
	patient = make_eligible_patient()
	previous = frappe.db.get_single_value(SETTINGS, "auto_enable_verified_sign_up")
	frappe.db.set_single_value(SETTINGS, "auto_enable_verified_sign_up", 1)
	frappe.db.commit()
	yield manager, patient
	frappe.db.rollback()
	frappe.db.set_single_value(SETTINGS, "auto_enable_verified_sign_up", previous)
	frappe.db.delete(REGISTRATION, {"email": ("in", [patient.email, f"late-{patient.email}"])})
	frappe.db.commit()
	purge_patient(patient.name)
	delete_user(manager[0])


def person_page(browser):
	context = browser.new_context(viewport={"width": 420, "height": 860})
	page = context.new_page()
	page.set_default_timeout(30_000)
	return context, page


def test_sign_up_confirm_from_the_mail_and_land_on_the_portal(browser, base_url, clinic):
	_manager, patient = clinic
	person, page = person_page(browser)
	page.goto(f"{base_url}/login")
	page.locator("[data-portal-sign-up] a").click()
	page.wait_for_url("**/portal/register")
	page.fill("#first_name", patient.first_name)
	page.fill("#last_name", patient.last_name)
	page.fill("#date_of_birth", "1990-05-17")
	page.fill("#home_zip", "90210")
	page.fill("#email", f" {patient.email.upper()} ")
	page.screenshot(path=str(SCREENSHOTS / "portal-sign-up.png"))
	page.click("[data-step='form'] button[type='submit']")
	page.locator(".portal-register[data-state='sent']").wait_for()
	assert "If the address is right" in page.locator("[data-role='sent-message']").inner_text()
	page.screenshot(path=str(SCREENSHOTS / "portal-sign-up-sent.png"))

	frappe.db.rollback()
	request = frappe.db.get_value(REGISTRATION, {"email": patient.email}, "name")
	assert frappe.db.get_value(REGISTRATION, request, "status") == "Pending Verification"
	assert not frappe.db.exists(ACCOUNT, {"patient": patient.name})
	(mail,) = queued_mails(request, REGISTRATION)
	assert mail["recipients"] == [patient.email]
	link = mailed_path(mail["html"], "/portal/register")

	page.goto(base_url + link)
	page.locator(".portal-register[data-state='credentials']").wait_for()
	assert page.url == f"{base_url}/portal/register"  # the key left the address bar at once
	page.locator("[data-role='username-status']", has_text="Available").wait_for()
	page.fill("#password", strong_password())
	page.screenshot(path=str(SCREENSHOTS / "portal-sign-up-credentials.png"))
	page.click("[data-step='credentials'] button[type='submit']")
	page.wait_for_url("**/portal")
	page.locator("[data-portal-patients]", has_text=patient.patient_name).wait_for()
	page.screenshot(path=str(SCREENSHOTS / "portal-sign-up-landed.png"))

	page.goto(base_url + link)  # the mailed link works once
	page.locator(".portal-register[data-state='invalid']").wait_for()
	person.close()

	frappe.db.rollback()
	account = frappe.get_doc(ACCOUNT, {"patient": patient.name})
	assert account.status == AccountStatus.ACTIVE
	assert frappe.db.get_value(REGISTRATION, request, ["status", "auto_approved"]) == ("Approved", 1)


def test_manager_links_a_waiting_sign_up_to_the_patient_and_approves(browser, base_url, clinic):
	(manager_email, manager_password), patient = clinic
	late = f"late-{patient.email}"
	frappe.db.set_value("Patient", patient.name, "email", None)
	registration_api.register("Ana", "Late", "1990-05-17", "90210", late)
	request = frappe.db.get_value(REGISTRATION, {"email": late}, "name")
	key = mailed_path(queued_mails(request, REGISTRATION)[0]["html"], "/portal/register").split("#key=")[1]
	assert registration_api.verify_sign_up(key) == {"ok": True, "next": "review"}
	frappe.db.commit()

	admin, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	desk.goto(f"{base_url}/app/patient-portal-registration?status=Awaiting%20Review")
	desk.locator(".list-row-container", has_text="Late").first.wait_for()
	desk.screenshot(path=str(SCREENSHOTS / "desk-sign-up-requests.png"))
	desk.goto(f"{base_url}/app/patient-portal-registration/{request}")
	desk.locator(".form-message", has_text="No patient matched").wait_for()
	field = desk.locator("input[data-fieldname='patient']")
	field.scroll_into_view_if_needed()
	field.click()
	field.press_sequentially(patient.first_name, delay=30)
	desk.locator("[data-fieldname='patient'] [role='option']", has_text=patient.patient_name).first.click()
	desk.locator("[data-fieldname='patient_name'] .control-value", has_text=patient.first_name).wait_for()
	desk.keyboard.press("Control+s")
	desk.wait_for_function("cur_frm.doc.patient && !cur_frm.is_dirty()")
	# Saved with its patient: the form no longer offers to create one.
	expect(desk.locator(".dropdown-item[data-label='Create%20Patient']")).to_have_count(0)
	desk.locator(".page-actions .custom-actions button", has_text="Review").click()
	desk.locator(".dropdown-item[data-label='Approve%20and%20invite']").click()
	desk.locator(".modal.show button.btn-primary", has_text="Yes").click()
	desk.locator(".indicator-pill", has_text="Approved").wait_for()
	desk.screenshot(path=str(SCREENSHOTS / "desk-sign-up-approved.png"))
	admin.close()

	frappe.db.rollback()
	assert frappe.db.get_value("Patient", patient.name, "email") == late
	account = frappe.get_doc(ACCOUNT, {"patient": patient.name})
	assert (account.status, account.contact_email) == (AccountStatus.INVITED, late)


def test_forgot_password_from_the_sign_in_page_to_a_new_password(browser, base_url, clinic):
	_manager, patient = clinic
	with JobRecorder() as jobs:
		account, invitation = sending.invite(patient.name)
		jobs.run()
	assert accept_link(activation_key(invitation.name), username=unique("pat."))["ok"]
	frappe.db.commit()

	person, page = person_page(browser)
	page.goto(f"{base_url}/login")
	page.locator(".forgot-password-message a").click()
	page.wait_for_url("**/portal/forgot-password")
	page.fill("#identifier", patient.email.upper())
	page.click("button[type='submit']")
	page.locator(".portal-forgot[data-state='sent']").wait_for()
	page.screenshot(path=str(SCREENSHOTS / "portal-forgot-password.png"))

	# The request only queued the work; the mail goes out when a worker runs the job.
	frappe.db.rollback()
	assert not frappe.db.exists("Patient Portal Password Reset", {"account": account.name})
	run_queued_job(password_api.answer_job_id(patient.email.upper()))
	frappe.db.rollback()
	reset = frappe.db.get_value("Patient Portal Password Reset", {"account": account.name}, "name")
	(mail,) = queued_mails(reset, "Patient Portal Password Reset")
	assert mail["recipients"] == [patient.email]
	page.goto(base_url + mailed_path(mail["html"], "/portal/reset-password"))
	page.locator(".portal-reset[data-state='form']").wait_for()
	new_password = strong_password()
	page.fill("#new_password", new_password)
	page.fill("#confirm_password", new_password)
	page.click("button[type='submit']")
	page.wait_for_url("**/portal")
	page.locator("[data-portal-patients]", has_text=patient.patient_name).wait_for()
	person.close()

	frappe.db.rollback()
	user = frappe.db.get_value(ACCOUNT, account.name, "user")
	from frappe.utils.password import check_password

	assert check_password(user, new_password) == user
