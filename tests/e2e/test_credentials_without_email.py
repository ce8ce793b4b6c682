"""A patient without an email gets a login at the front desk: the manager enables portal access in
person from the Patient form, watches the username turn green or red while typing it in the
credentials dialog, copies and prints credentials that name the clinic's portal address, and the
patient signs in with them."""

import re

import pytest
from playwright.sync_api import expect

import frappe

from portal_onboarding.constants import ACCOUNT, EVENT, MANAGER_ROLE, SETTINGS, AccountStatus, EventType
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import open_portal_action, signed_in_page
from tests.integration.factories import (
	delete_user,
	make_address,
	make_patient,
	make_user,
	purge_patient,
	strong_password,
	unique,
)

# Not where the test's browser reaches the site: the credentials must name the configured address.
PORTAL_ADDRESS = "https://portal.clinic.example"


@pytest.fixture
def front_desk(outgoing_mail):
	"""A manager, a nurse with a username, and a patient with a home ZIP code but no email; the
	settings ask for an email and name the portal address. Committed, then put back."""
	settings = frappe.get_single(SETTINGS)
	previous = {key: settings.get(key) for key in ("portal_base_url", "require_email")}
	settings.update({"portal_base_url": PORTAL_ADDRESS, "require_email": 1})
	settings.save()
	manager = make_user(["System Manager", MANAGER_ROLE])
	nurse = make_user(["Nursing User"], username=unique("staff."))
	patient = make_patient(email=None)
	make_address(patient.name)
	frappe.db.commit()
	yield manager, frappe.db.get_value("User", nurse[0], "username"), patient
	frappe.db.rollback()
	settings = frappe.get_single(SETTINGS)
	settings.update(previous)
	settings.save()
	frappe.db.commit()
	purge_patient(patient.name)
	delete_user(manager[0])
	delete_user(nurse[0])


def rgb(locator) -> tuple[int, ...]:
	colour = locator.evaluate("element => getComputedStyle(element).color")
	return tuple(int(part) for part in re.findall(r"\d+", colour)[:3])


def type_username(dialog, username: str, ok: bool, says: str):
	"""Type a username as a person would and wait for its verdict; returns the status line."""
	field = dialog.locator("[data-fieldname='username'] input")
	field.fill("")
	field.press_sequentially(username, delay=40)
	status = dialog.locator("[data-username-status]")
	expect(status).to_have_attribute("data-username-status", "true" if ok else "false")
	expect(status).to_contain_text(says)
	return status


def test_manager_gives_credentials_in_person_and_the_patient_signs_in(browser, base_url, front_desk):
	(manager_email, manager_password), staff_username, patient = front_desk
	admin, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	admin.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)

	confirm = open_portal_action(desk, base_url, patient.name, "Enable portal access", "Not Enabled")
	expect(confirm).to_contain_text("no email address")
	confirm.locator("button.btn-primary", has_text="Yes").click()

	# Enabled, the account form opens with its Set credentials dialog, its own username checked.
	desk.wait_for_url("**/app/patient-portal-account/**")
	dialog = desk.locator(".modal.show", has_text="Set credentials")
	expect(dialog.locator("[data-username-status]")).to_have_attribute("data-username-status", "true")

	taken = type_username(dialog, staff_username, ok=False, says="not available")
	assert staff_username not in taken.inner_text()
	red = rgb(taken)
	desk.screenshot(path=str(SCREENSHOTS / "desk-credentials-username-taken.png"))
	type_username(dialog, "a!", ok=False, says="between 3 and 32")
	username = unique("pat.")
	available = type_username(dialog, username, ok=True, says="Available")
	green = rgb(available)
	assert green[1] > green[0] and red[0] > red[1], (green, red)
	desk.screenshot(path=str(SCREENSHOTS / "desk-credentials-dialog.png"))

	dialog.locator("button.btn-primary", has_text="Set credentials").click()
	shown = desk.locator(".modal.show [data-credential='password']")
	shown.wait_for()
	assert desk.locator(".modal.show [data-credential='username']").inner_text().strip() == username
	address = desk.locator(".modal.show [data-credential='portal_url']").inner_text().strip()
	assert address == f"{PORTAL_ADDRESS}/portal"
	assert base_url not in desk.locator(".modal.show").inner_text()
	desk.screenshot(path=str(SCREENSHOTS / "desk-credentials-in-person.png"))

	desk.locator(".modal.show button.btn-primary", has_text="Copy").click()
	copied = desk.evaluate("navigator.clipboard.readText()")
	lines = copied.splitlines()
	assert lines[0].endswith(f"patient portal: {PORTAL_ADDRESS}/portal"), copied
	assert lines[1:] == [f"Username: {username}", f"Password: {shown.inner_text().strip()}"]
	password = lines[2].split("Password: ")[1]

	# The printed sheet: the browser's print dialog is held back, the sheet read instead.
	desk.evaluate(
		"""() => {
			const open = window.open;
			window.open = (...args) => {
				const sheet = open(...args);
				sheet.print = () => {};
				window.printed_sheet = sheet;
				return sheet;
			};
		}"""
	)
	desk.locator(".modal.show button.btn-secondary", has_text="Print").click()
	sheet = desk.evaluate("window.printed_sheet.document.body.innerText")
	assert f"{PORTAL_ADDRESS}/portal" in sheet and username in sheet and password in sheet
	desk.evaluate("window.printed_sheet.close()")
	admin.close()

	frappe.db.rollback()
	account = frappe.db.get_value(ACCOUNT, {"patient": patient.name}, "name")
	assert frappe.db.get_value(ACCOUNT, account, ["status", "contact_email", "force_password_change"]) == (
		AccountStatus.ACTIVE,
		None,
		1,
	)
	assert frappe.db.exists(
		EVENT,
		{
			"account": account,
			"event_type": EventType.PORTAL_ENABLED,
			"actor": manager_email,
			"details": "For credentials given in person",
		},
	)
	assert not any(
		password in (d or "") for d in frappe.get_all(EVENT, {"account": account}, pluck="details")
	)

	person = browser.new_context(viewport={"width": 420, "height": 860})
	page = person.new_page()
	page.set_default_timeout(30_000)
	page.goto(f"{base_url}/login")
	page.fill("#login_email", username)
	page.fill("#login_password", password)
	page.click(".btn-login")
	page.wait_for_url("**/portal/change-password")
	new_password = strong_password()
	page.fill("#new_password", new_password)
	page.fill("#confirm_password", new_password)
	page.click("button[type='submit']")
	page.wait_for_url("**/portal")
	page.locator("[data-portal-patients]", has_text=patient.patient_name).wait_for()
	person.close()

	frappe.db.rollback()
	assert frappe.db.get_value(ACCOUNT, account, "force_password_change") == 0
