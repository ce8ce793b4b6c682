"""Running accounts in the browser: credentials set by hand and copied from the dialog, the forced
password change at first sign-in, a suspension logging an open portal tab out, the account list, and
an expired invitation re-sent from the form."""

import pytest
from playwright.sync_api import expect

import frappe

from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	MANAGER_ROLE,
	AccessType,
	AccountStatus,
	EventType,
	InvitationStatus,
)
from portal_onboarding.invitations import delivery, portal_access, sending
from portal_onboarding.security.actions import acting
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import signed_in_page
from tests.e2e.rq_jobs import drop_queued_job
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	delete_user,
	make_eligible_patient,
	make_user,
	purge_patient,
	strong_password,
	unique,
)


@pytest.fixture
def clinic(outgoing_mail):
	"""A manager and an eligible patient, committed for the server to see, removed afterwards."""
	manager = make_user(["System Manager", MANAGER_ROLE])
	patient = make_eligible_patient()
	frappe.db.commit()
	yield manager, patient
	purge_patient(patient.name)
	delete_user(manager[0])


def portal_sign_in(page, base_url: str, username: str, password: str) -> None:
	"""Sign in on the site's login page as a portal user would."""
	page.goto(f"{base_url}/login")
	page.fill("#login_email", username)
	page.fill("#login_password", password)
	page.click(".btn-login")


def open_account(desk, base_url: str, account: str, status: str) -> None:
	desk.goto(f"{base_url}/app/patient-portal-account/{account}")
	desk.locator(".indicator-pill", has_text=status).first.wait_for()


def run_action(desk, label: str):
	"""Pick `label` from the form's Manage group; returns the dialog it opens."""
	from urllib.parse import quote

	desk.locator(".page-actions .custom-actions button", has_text="Manage").click()
	desk.locator(f".dropdown-item[data-label='{quote(label)}']").click()
	return desk.locator(".modal.show").last


def test_admin_sets_credentials_the_patient_must_choose_a_new_password(browser, base_url, clinic):
	(manager_email, manager_password), patient = clinic
	account = portal_access.enable(patient.name).name
	frappe.db.commit()

	admin, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	admin.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
	open_account(desk, base_url, account, "Enabled")
	dialog = run_action(desk, "Set credentials")
	dialog.locator("button.btn-primary", has_text="Set credentials").click()
	shown = desk.locator(".modal.show [data-credential='password']")
	shown.wait_for()
	username = desk.locator(".modal.show [data-credential='username']").inner_text().strip()
	desk.screenshot(path=str(SCREENSHOTS / "desk-account-credentials.png"))
	desk.locator(".modal.show button.btn-primary", has_text="Copy").click()
	copied = desk.evaluate("navigator.clipboard.readText()")
	assert f"Username: {username}" in copied
	password = copied.split("Password:")[1].strip()
	assert password == shown.inner_text().strip() and len(password) >= 16
	admin.close()

	frappe.db.rollback()
	assert frappe.db.get_value(ACCOUNT, account, ["status", "force_password_change"]) == (
		AccountStatus.ACTIVE,
		1,
	)
	details = frappe.get_all(EVENT, filters={"account": account}, pluck="details")
	assert not any(password in (d or "") for d in details)

	person = browser.new_context(viewport={"width": 420, "height": 860})
	page = person.new_page()
	page.set_default_timeout(30_000)
	portal_sign_in(page, base_url, username, password)
	page.wait_for_url("**/portal/change-password")
	page.locator("[data-role='required']").wait_for()
	page.goto(f"{base_url}/portal")  # nothing else answers until the password is changed
	page.wait_for_url("**/portal/change-password")
	page.screenshot(path=str(SCREENSHOTS / "portal-change-password.png"))
	page.fill("#new_password", password)
	page.fill("#confirm_password", password)
	page.click("button[type='submit']")
	page.locator("[data-role='error']", has_text="different").wait_for()
	new_password = strong_password()
	page.fill("#new_password", new_password)
	page.fill("#confirm_password", new_password)
	page.click("button[type='submit']")
	page.wait_for_url("**/portal")
	page.locator("[data-portal-patients]", has_text=patient.patient_name).wait_for()
	person.close()

	frappe.db.rollback()
	assert frappe.db.get_value(ACCOUNT, account, "force_password_change") == 0
	kinds = frappe.get_all(EVENT, filters={"account": account}, pluck="event_type")
	assert EventType.CREDENTIALS_SET in kinds and EventType.PASSWORD_CHANGED in kinds


def test_admin_suspends_and_the_open_portal_tab_is_logged_out(browser, base_url, clinic):
	(manager_email, manager_password), patient = clinic
	with JobRecorder() as jobs:
		account, invitation = sending.invite(patient.name)
		jobs.run()
	username, password = unique("pat."), strong_password()
	assert accept_link(activation_key(invitation.name), username=username, password=password)["ok"]
	account = account.name
	frappe.db.commit()

	person = browser.new_context(viewport={"width": 420, "height": 860})
	page = person.new_page()
	page.set_default_timeout(30_000)
	portal_sign_in(page, base_url, username, password)
	page.wait_for_url(lambda url: "/login" not in url)
	page.goto(f"{base_url}/portal")
	page.locator("[data-portal-patients]", has_text=patient.patient_name).wait_for()

	admin, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	open_account(desk, base_url, account, "Active")
	dialog = run_action(desk, "Suspend")
	dialog.locator("textarea").fill("Reported a lost phone")
	dialog.locator("button.btn-primary", has_text="Suspend").click()
	desk.locator(".indicator-pill", has_text="Suspended").first.wait_for()
	desk.locator("[data-fieldname='audit_trail']", has_text="Account Suspended").wait_for()
	desk.screenshot(path=str(SCREENSHOTS / "desk-account-suspended.png"), full_page=True)
	admin.close()

	page.reload()
	page.wait_for_url("**/login**")
	assert patient.patient_name not in page.content()
	page.screenshot(path=str(SCREENSHOTS / "portal-logged-out.png"))
	person.close()
	frappe.db.rollback()
	assert frappe.db.get_value(ACCOUNT, account, "status") == AccountStatus.SUSPENDED


@pytest.fixture
def ward(outgoing_mail):
	"""A manager and five accounts in four statuses, one of them a carer whose access ends soon."""
	from frappe.utils import add_days, today

	from portal_onboarding.accounts import management
	from portal_onboarding.invitations import portal_access, sending

	manager = make_user(["System Manager", MANAGER_ROLE])
	patients = [make_eligible_patient() for _ in range(4)]
	portal_access.enable(patients[0].name)
	sending.invite(patients[1].name, enqueue=False)
	active = portal_access.enable(patients[2].name).name
	management.set_credentials(active)
	suspended = portal_access.enable(patients[3].name).name
	management.set_credentials(suspended)
	management.suspend(suspended, "Under review")
	carer = {
		"first_name": "Kim",
		"last_name": "Carer",
		"email": f"{unique('kim')}@example.com",
		"relation": "Carer",
	}
	rep, _invitation = sending.invite(patients[2].name, representative=carer, enqueue=False)
	frappe.db.set_value(ACCOUNT, rep.name, "access_valid_until", add_days(today(), 20))
	frappe.db.commit()
	yield manager, rep.name
	for patient in patients:
		purge_patient(patient.name)
	delete_user(manager[0])


def test_the_account_list_counts_statuses_in_its_sidebar(browser, base_url, ward):
	(manager_email, manager_password), carer_account = ward
	admin, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	desk.goto(f"{base_url}/app/patient-portal-account")
	desk.locator(".list-row-container").first.wait_for()
	for field in ("Status", "Access Type"):
		desk.locator(".list-group-by-fields .group-by-field", has_text=field).first.wait_for()
	expiring = desk.locator("[data-portal-expiring]")
	expiring.locator("[data-count]:not(:empty)").wait_for()
	assert int(expiring.locator("[data-count]").inner_text()) >= 1
	desk.locator(".list-group-by-fields .group-by-field", has_text="Status").first.click()
	menu = desk.locator(".group-by-dropdown .dropdown-item")
	for status in ("Enabled", "Invited", "Active", "Suspended"):
		menu.filter(has_text=status).first.wait_for()
	desk.screenshot(path=str(SCREENSHOTS / "desk-account-list.png"))
	desk.keyboard.press("Escape")
	expiring.locator("a").click()
	expected = int(expiring.locator("[data-count]").inner_text())
	expect(desk.locator(".list-row-container")).to_have_count(expected)
	assert carer_account in desk.locator(".frappe-list").inner_text()
	desk.screenshot(path=str(SCREENSHOTS / "desk-account-list-expiring.png"))
	admin.close()


def test_admin_sends_a_reset_link_the_person_chooses_a_password_and_is_signed_in(browser, base_url, clinic):
	from tests.integration.factories import queued_mails

	(manager_email, manager_password), patient = clinic
	with JobRecorder() as jobs:
		account, invitation = sending.invite(patient.name)
		jobs.run()
	username = unique("pat.")
	assert accept_link(activation_key(invitation.name), username=username)["ok"]
	account = account.name
	frappe.db.commit()

	admin, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	open_account(desk, base_url, account, "Active")
	desk.locator(".page-actions .custom-actions button", has_text="Manage").click()
	desk.locator(".dropdown-item[data-label='Send%20password%20reset']").click()
	desk.locator(".modal.show button.btn-primary", has_text="Yes").click()
	desk.locator("[data-fieldname='audit_trail']", has_text="Password Reset Sent").wait_for()
	admin.close()

	frappe.db.rollback()
	reset = frappe.db.get_value("Patient Portal Password Reset", {"account": account}, "name")
	(mail,) = queued_mails(reset, "Patient Portal Password Reset")
	assert mail["recipients"] == [patient.email]
	assert patient.patient_name not in mail["html"] and "Lab" not in mail["html"]
	link = mail["html"].split('href="')[1].split('"')[0]
	assert "/portal/reset-password#key=" in link and "?" not in link

	person = browser.new_context(viewport={"width": 420, "height": 860})
	page = person.new_page()
	page.set_default_timeout(30_000)
	page.goto(base_url + link[link.index("/portal/") :])
	page.locator(".portal-reset[data-state='form']").wait_for()
	assert page.url == f"{base_url}/portal/reset-password"  # the key left the address bar at once
	new_password = strong_password()
	page.fill("#new_password", new_password)
	page.fill("#confirm_password", new_password)
	page.screenshot(path=str(SCREENSHOTS / "portal-reset-password.png"))
	page.click("button[type='submit']")
	page.wait_for_url("**/portal")
	page.locator("[data-portal-patients]", has_text=patient.patient_name).wait_for()
	page.goto(base_url + link[link.index("/portal/") :])
	page.locator(".portal-reset[data-state='invalid']").wait_for()
	person.close()


def test_admin_resends_a_representatives_expired_invitation_from_the_form(browser, base_url, clinic):
	(manager_email, manager_password), patient = clinic
	carer = {"first_name": "Rita", "email": f"{unique('carer')}@example.com", "relation": "Carer"}
	account, expired = sending.invite(patient.name, representative=carer, enqueue=False)
	frappe.db.set_value(
		INVITATION,
		expired.name,
		{"status": InvitationStatus.SENT, "expires_on": frappe.utils.add_to_date(None, hours=-1)},
	)
	with acting():
		delivery.expire_one(expired.name)
	frappe.db.commit()

	admin, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	open_account(desk, base_url, account.name, "Invite Expired")
	dialog = run_action(desk, "Resend invitation")
	assert carer["email"] in dialog.inner_text()
	dialog.locator("button.btn-primary", has_text="Yes").click()
	open_account(desk, base_url, account.name, "Invited")
	admin.close()

	frappe.db.rollback()
	(new,) = frappe.get_all(
		INVITATION, filters={"account": account.name, "status": InvitationStatus.QUEUED}, pluck="name"
	)
	drop_queued_job(f"portal_onboarding:invitation:{new}")
	assert frappe.db.count(ACCOUNT, {"patient": patient.name, "access_type": AccessType.REPRESENTATIVE}) == 1
	assert frappe.db.exists(
		EVENT, {"account": account.name, "event_type": EventType.INVITATION_RESENT, "actor": manager_email}
	)
