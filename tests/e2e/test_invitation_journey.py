"""Invite in Desk, open the link from the queued mail, pass the identity check, choose a login,
and land signed in on the portal."""

from urllib.parse import unquote

import pytest

import frappe

from portal_onboarding.constants import ACCOUNT, INVITATION, MANAGER_ROLE, AccountStatus, InvitationStatus
from portal_onboarding.invitations import sending
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import open_portal_action, signed_in_page
from tests.e2e.rq_jobs import drop_queued_job, run_queued_job
from tests.integration.factories import (
	JobRecorder,
	activation_key,
	make_eligible_patient,
	make_user,
	purge_patient,
	strong_password,
	unique,
)

DOB = "1990-05-17"
ZIP = "90210"


@pytest.fixture
def clinic(outgoing_mail):
	"""A manager and an eligible patient, committed for the server to see, removed afterwards."""
	manager = make_user(["System Manager", MANAGER_ROLE])
	patient = make_eligible_patient(dob=DOB, pincode=ZIP)
	frappe.db.commit()
	yield manager, patient
	frappe.db.rollback()
	for account in frappe.get_all(ACCOUNT, filters={"patient": patient.name}, fields=["name", "user"]):
		frappe.db.delete(INVITATION, {"account": account.name})
		frappe.delete_doc(ACCOUNT, account.name, force=True, ignore_permissions=True)
		if account.user:
			frappe.delete_doc("User", account.user, force=True, ignore_permissions=True)
	frappe.delete_doc("Patient", patient.name, force=True, ignore_permissions=True)
	frappe.delete_doc("User", manager[0], force=True, ignore_permissions=True)
	frappe.db.commit()


def test_invite_activate_and_land_on_the_portal(browser, base_url, clinic):
	(manager_email, manager_password), patient = clinic

	admin, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	dialog = open_portal_action(desk, base_url, patient.name, "Send invitation", "Portal: Not Enabled")
	dialog.locator("button.btn-primary", has_text="Send").click()
	pill = desk.locator("[data-portal-status]", has_text="Portal: Invited")
	pill.wait_for()
	pill.scroll_into_view_if_needed()
	desk.screenshot(path=str(SCREENSHOTS / "desk-patient-invited.png"))
	admin.close()

	frappe.db.rollback()
	invitation = frappe.db.get_value(INVITATION, {"patient": patient.name}, "name")
	assert frappe.db.get_value(INVITATION, invitation, "status") == InvitationStatus.QUEUED
	run_queued_job(f"portal_onboarding:invitation:{invitation}")
	frappe.db.rollback()
	invitation = frappe.db.get_value(INVITATION, invitation, ["name", "status"], as_dict=True)
	assert invitation.status == InvitationStatus.SENT
	key = activation_key(invitation.name)

	person = browser.new_context()
	page = person.new_page()
	page.set_default_timeout(30_000)
	page.goto(f"{base_url}/portal/activate#key={key}")
	page.locator("[data-step='identity']:not(.d-none)").wait_for()
	# The key is read from the fragment and stripped from the address bar at once.
	assert page.url == f"{base_url}/portal/activate"
	page.screenshot(path=str(SCREENSHOTS / "activate-identity.png"))
	page.fill("#date_of_birth", "1990-05-18")
	page.fill("#home_zip", ZIP)
	page.click("[data-step='identity'] button[type='submit']")
	page.locator("[data-role='error']", has_text="do not match").wait_for()

	page.fill("#date_of_birth", DOB)
	page.click("[data-step='identity'] button[type='submit']")
	page.locator("[data-step='credentials']:not(.d-none)").wait_for()
	username = unique("e2e.")
	page.fill("#username", username)
	page.locator("#username").press("Tab")
	page.locator("[data-role='username-status']", has_text="Available").wait_for()
	page.fill("#password", strong_password())
	page.screenshot(path=str(SCREENSHOTS / "activate-credentials.png"))
	page.click("[data-step='credentials'] button[type='submit']")

	page.wait_for_url("**/portal")
	page.locator("[data-portal-patients]", has_text=patient.patient_name).wait_for()
	page.screenshot(path=str(SCREENSHOTS / "portal-home.png"))
	frappe.db.rollback()
	account = frappe.db.get_value(
		ACCOUNT, {"patient": patient.name}, ["status", "username", "user"], as_dict=True
	)
	assert account.status == AccountStatus.ACTIVE
	assert account.username == username
	cookies = {c["name"]: unquote(c["value"]) for c in person.cookies()}
	assert cookies.get("user_id") == account.user

	page.goto(f"{base_url}/portal/activate#key={key}")
	page.locator(".portal-activate[data-state='invalid']", has_text="no longer valid").wait_for()
	page.screenshot(path=str(SCREENSHOTS / "activate-invalid-link.png"))
	person.close()


def test_admin_invites_a_representative_from_the_patient_form(browser, base_url, clinic):
	(manager_email, manager_password), patient = clinic
	context, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	dialog = open_portal_action(desk, base_url, patient.name, "Invite a representative")
	email = f"{unique('carer')}@example.com"
	dialog.locator("[data-fieldname='first_name'] input").fill("Casey")
	dialog.locator("[data-fieldname='last_name'] input").fill("Carer")
	dialog.locator("[data-fieldname='email'] input").fill(email)
	dialog.locator("[data-fieldname='relation'] select").select_option("Carer")
	dialog.locator("button.btn-primary", has_text="Send").click()
	desk.locator("[data-portal-status]", has_text="Portal: Invited").wait_for()
	context.close()

	frappe.db.rollback()
	account = frappe.db.get_value(
		ACCOUNT,
		{"patient": patient.name, "contact_email": email},
		["access_type", "relation", "first_name", "status"],
		as_dict=True,
	)
	assert account == {
		"access_type": "Authorized Representative",
		"relation": "Carer",
		"first_name": "Casey",
		"status": AccountStatus.INVITED,
	}
	invitation = frappe.db.get_value(INVITATION, {"patient": patient.name}, "name")
	drop_queued_job(f"portal_onboarding:invitation:{invitation}")


@pytest.fixture
def family(outgoing_mail):
	"""Two children with committed invitations for the same parent; returns (children, keys)."""
	children = [make_eligible_patient(dob=dob, pincode=ZIP) for dob in ("2014-02-03", "2017-08-09")]
	parent = {
		"first_name": "Robin",
		"last_name": "Parent",
		"email": f"{unique('parent')}@example.com",
		"relation": "Parent",
	}
	keys = []
	with JobRecorder() as jobs:
		for child in children:
			_account, invitation = sending.invite(child.name, representative=parent)
			keys.append(invitation.name)
		jobs.run()
	keys = [activation_key(invitation) for invitation in keys]
	frappe.db.commit()
	yield children, keys
	for child in children:
		purge_patient(child.name)


def test_a_parent_adds_the_second_child_to_the_login_they_already_have(browser, base_url, family):
	children, keys = family
	username, password = unique("parent."), strong_password()
	person = browser.new_context(viewport={"width": 420, "height": 860})
	page = person.new_page()
	page.set_default_timeout(30_000)

	page.goto(f"{base_url}/portal/activate#key={keys[0]}")
	page.fill("#date_of_birth", "2014-02-03")
	page.fill("#home_zip", ZIP)
	page.click("[data-step='identity'] button[type='submit']")
	page.locator("[data-step='credentials']:not(.d-none)").wait_for()
	page.fill("#username", username)
	page.fill("#password", password)
	page.click("[data-step='credentials'] button[type='submit']")
	page.wait_for_url("**/portal")
	listed = page.locator("[data-portal-patients]")
	listed.wait_for()
	assert children[0].patient_name in listed.inner_text()
	assert children[1].patient_name not in listed.inner_text()  # the second link has not been used yet

	page.goto(f"{base_url}/portal/activate#key={keys[1]}")
	page.fill("#date_of_birth", "2017-08-09")
	page.fill("#home_zip", ZIP)
	page.click("[data-step='identity'] button[type='submit']")
	page.click("[data-role='use-existing']")
	page.fill("#existing_username", username)
	page.fill("#existing_password", "not the password")
	page.click("[data-step='existing'] button[type='submit']")
	page.locator("[data-role='error']", has_text="not correct").wait_for()
	page.fill("#existing_password", password)
	page.screenshot(path=str(SCREENSHOTS / "activate-existing-login.png"))
	page.click("[data-step='existing'] button[type='submit']")
	page.wait_for_url("**/portal")
	for child in children:
		page.locator("[data-portal-patients]", has_text=child.patient_name).wait_for()
	page.screenshot(path=str(SCREENSHOTS / "portal-two-patients.png"))
	person.close()

	frappe.db.rollback()
	logins = {frappe.db.get_value(ACCOUNT, {"patient": c.name}, "user") for c in children}
	assert len(logins) == 1 and None not in logins


def test_a_nurse_gets_no_invitation_toggle_and_no_portal_actions(browser, base_url, outgoing_mail):
	nurse = make_user(["Nursing User"])
	patient = make_eligible_patient(dob=DOB, pincode=ZIP)
	frappe.db.commit()
	try:
		context, desk = signed_in_page(browser, base_url, *nurse)
		desk.goto(f"{base_url}/app/patient/{patient.name}")
		desk.locator("[data-portal-status]", has_text="Portal: Not Enabled").wait_for()
		desk.locator("[data-portal-status]").scroll_into_view_if_needed()
		# The toggle's permission level is not the nurse's: Frappe does not even render it.
		assert not desk.locator("[data-fieldname='send_portal_invitation'] input").is_visible()
		assert not desk.locator("[data-fieldname='invite_user'] input").is_visible()
		assert desk.locator(".page-actions button", has_text="Portal").count() == 0
		desk.screenshot(path=str(SCREENSHOTS / "desk-patient-nurse.png"))
		context.close()
	finally:
		purge_patient(patient.name)
		frappe.delete_doc("User", nurse[0], force=True, ignore_permissions=True)
		frappe.db.commit()


def test_a_manager_changes_an_accounts_sections_and_deletes_it(browser, base_url, clinic):
	(manager_email, manager_password), patient = clinic
	with JobRecorder():
		account, _invitation = sending.invite(patient.name)
	frappe.db.commit()
	context, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	desk.goto(f"{base_url}/app/patient-portal-account/{account.name}")
	desk.locator(".page-actions button", has_text="Change permitted sections").click()
	dialog = desk.locator(".modal.show")
	dialog.locator("input[data-unit='Invoices']").check()
	dialog.locator("input[data-unit='Appointments']").uncheck()
	desk.screenshot(path=str(SCREENSHOTS / "desk-account-sections.png"))
	dialog.locator("button.btn-primary", has_text="Save").click()
	# New accounts start with every section: the save has landed when Appointments is gone.
	desk.locator(
		"[data-fieldname='permitted_sections']", has_text="Invoices", has_not_text="Appointments"
	).first.wait_for()
	frappe.db.rollback()
	sections = frappe.get_all(
		"Patient Portal Section", filters={"parent": account.name}, pluck="portal_section"
	)
	assert "Invoices" in sections and "Appointments" not in sections

	desk.locator(".page-actions button", has_text="Delete account").click()
	desk.locator(".modal.show button.btn-primary", has_text="Yes").click()
	desk.wait_for_url("**/app/patient-portal-account")
	context.close()
	frappe.db.rollback()
	assert not frappe.db.exists(ACCOUNT, account.name)
	assert frappe.db.exists(
		"Patient Portal Event", {"account": account.name, "event_type": "Account Deleted"}
	)
