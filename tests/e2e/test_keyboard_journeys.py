"""What axe cannot see: every patient journey done with the keyboard alone. Each Tab lands on something
with a visible focus indicator (2.1.1, 2.4.7); an error is announced (role="alert") and tied to its field
(aria-invalid, aria-describedby) with the focus on it (3.3.1); a new step takes the focus (2.4.3); and
axe finds nothing on the states in between (error messages, sent notices)."""

import re

import pytest

import frappe

from portal_onboarding.api import account as account_api
from portal_onboarding.api import forms as forms_api
from portal_onboarding.api import password as password_api
from portal_onboarding.constants import ACCOUNT, FORM_REQUEST, REGISTRATION, SETTINGS
from portal_onboarding.invitations import portal_access
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.rq_jobs import run_queued_job
from tests.e2e.test_accessibility import invited
from tests.integration.factories import (
	INTAKE_DOCTYPE,
	accept_link,
	ensure_intake_form,
	make_eligible_patient,
	purge_patient,
	queued_mails,
	strong_password,
	unique,
)

DOB, ZIP = "1990-05-17", "90210"
TYPED_DOB = "05171990"  # what a person types into a date field (en-US: month, day, year)

FOCUS_SHOWN = """() => {
	const el = document.activeElement;
	if (!el || el === document.body) return "nothing has the focus";
	// On a part of the field's own (a date field's calendar button): the browser draws that ring.
	if (!el.matches(":focus")) return "";
	const style = getComputedStyle(el);
	if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) return "";
	if (style.boxShadow && style.boxShadow !== "none") return "";
	return "no visible focus on " + el.outerHTML.slice(0, 120);
}"""

ERROR_STATE = """(selector) => {
	const field = document.querySelector(selector);
	const ids = (field.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean);
	const messages = ids.map((id) => document.getElementById(id)).filter((el) => el && el.textContent.trim());
	const live = (el) => el.closest("[role=alert], [role=status], [aria-live=assertive], [aria-live=polite]");
	return {
		focused: document.activeElement === field,
		invalid: field.getAttribute("aria-invalid") === "true",
		messages: messages.map((el) => el.textContent.trim()),
		announced: messages.length > 0 && messages.every((el) => live(el) !== null),
	};
}"""


def person(browser):
	context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
	page = context.new_page()
	page.set_default_timeout(30_000)
	return context, page


def assert_focus_shown(page) -> None:
	problem = page.evaluate(FOCUS_SHOWN)
	assert not problem, f"{page.url}: {problem}"


def focused(page, selector: str) -> bool:
	return page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, limit: int = 40, key: str = "Tab") -> None:
	"""Press Tab until `selector` has the focus; every stop on the way shows where the focus is."""
	for _ in range(limit):
		page.keyboard.press(key)
		if focused(page, "body"):
			continue  # past the end of the page, back to the browser's own controls
		assert_focus_shown(page)
		if focused(page, selector):
			return
	raise AssertionError(f"{page.url}: {selector} is not reached with {key}")


def assert_error_on(page, selector: str, text: str, has_focus: bool = True) -> None:
	"""The error is on screen, announced, tied to the field, and the field has the focus."""
	page.locator(f"{selector}[aria-invalid='true']").wait_for()
	state = page.evaluate(ERROR_STATE, selector)
	assert state["invalid"], state
	assert any(text in message for message in state["messages"]), state
	assert state["announced"], f"{selector}: its error is not in a live region: {state}"
	if has_focus:
		assert state["focused"], f"{selector} does not have the focus after the error"
		assert_focus_shown(page)


def replace_text(page, text: str) -> None:
	page.keyboard.press("Control+A")
	page.keyboard.type(text)


def mailed_path(html: str, path: str) -> str:
	match = re.search(rf'href="[^"]*({re.escape(path)}#key=[A-Za-z0-9_\-]+)"', html)
	assert match, "no link to " + path
	return match.group(1)


def sign_in(page, base_url: str, username: str, password: str) -> None:
	"""Frappe's sign-in page by keyboard: the username field has the focus on arrival."""
	page.goto(f"{base_url}/login")
	page.locator("[data-portal-sign-up]").wait_for()
	assert focused(page, "#login_email")
	page.keyboard.type(username)
	page.keyboard.press("Tab")
	assert focused(page, "#login_password")
	page.keyboard.type(password)
	page.keyboard.press("Enter")


@pytest.fixture
def patients(outgoing_mail):
	"""Eligible patients made on demand (born DOB, living at ZIP); removed afterwards with their records."""
	made = []

	def make(**kw):
		patient = make_eligible_patient(dob=DOB, pincode=ZIP, **kw)
		made.append(patient)
		return patient

	yield make
	frappe.db.rollback()
	names = [patient.name for patient in made]
	frappe.db.delete(FORM_REQUEST, {"patient": ("in", names or [""])})
	frappe.db.delete(INTAKE_DOCTYPE, {"patient": ("in", names or [""])})
	frappe.db.delete(REGISTRATION, {"email": ("in", [patient.email for patient in made] or [""])})
	frappe.db.commit()
	for name in names:
		purge_patient(name)


def active_login(patient: str, sections: list[str] | None = None) -> tuple[str, str]:
	username, password = unique("kb."), strong_password()
	account, key = invited(patient)
	assert accept_link(key, username=username, password=password)["ok"]
	if sections:
		portal_access.set_permitted_sections(account, sections)
	return username, password


def test_activation_with_the_identity_step(browser, base_url, patients):
	patient = patients()
	_account, key = invited(patient.name)
	frappe.db.commit()
	context, page = person(browser)
	page.goto(f"{base_url}/portal/activate#key={key}")
	page.locator(".portal-activate[data-state='identity']").wait_for()
	tab_to(page, "#date_of_birth")
	page.keyboard.type("05181990")  # a wrong date of birth
	tab_to(page, "#home_zip")
	page.keyboard.type(ZIP)
	page.keyboard.press("Enter")
	assert_error_on(page, "#date_of_birth", "do not match")
	assert_error_on(page, "#home_zip", "do not match", has_focus=False)  # the message is about both
	assert_accessible(page, "activate: identity refused")

	page.focus("#date_of_birth")
	page.keyboard.type(TYPED_DOB)
	page.keyboard.press("Enter")
	page.locator(".portal-activate[data-state='credentials']").wait_for()
	assert focused(page, "#username"), "the next step does not have the focus"
	assert page.get_attribute("#date_of_birth", "aria-invalid") is None  # the refusal is cleared
	username = unique("kb.")
	page.keyboard.type(username)
	page.keyboard.press("Tab")  # leaving the field checks the name
	status = page.locator("#username-status", has_text="Available")
	status.wait_for()
	assert status.get_attribute("aria-live") == "polite"
	assert "username-status" in page.get_attribute("#username", "aria-describedby")
	assert focused(page, "#password")
	page.keyboard.type("short")
	page.keyboard.press("Enter")
	page.locator("#password[aria-invalid='true']").wait_for()
	state = page.evaluate(ERROR_STATE, "#password")
	assert state["focused"] and state["announced"] and state["messages"], state
	assert_accessible(page, "activate: password refused")
	page.screenshot(path=str(SCREENSHOTS / "keyboard-activate-error.png"))

	replace_text(page, strong_password())
	page.keyboard.press("Enter")
	page.wait_for_url("**/portal")
	page.locator("[data-portal-patients]", has_text=patient.patient_name).wait_for()
	tab_to(page, "[data-section='Appointments']")
	context.close()


def test_sign_up_from_the_sign_in_page(browser, base_url, patients):
	patient = patients()
	previous = frappe.db.get_single_value(SETTINGS, "auto_enable_verified_sign_up")
	frappe.db.set_single_value(SETTINGS, "auto_enable_verified_sign_up", 1)
	frappe.db.commit()
	try:
		context, page = person(browser)
		page.goto(f"{base_url}/login")
		page.locator("[data-portal-sign-up]").wait_for()
		tab_to(page, "[data-portal-sign-up] a")
		page.keyboard.press("Enter")
		page.wait_for_url("**/portal/register")
		page.locator(".portal-register[data-state='form']").wait_for()
		tab_to(page, "#first_name")
		page.keyboard.press("Enter")  # nothing filled in
		assert_error_on(page, "#first_name", "first name")
		for field, text in (
			("#last_name", "last name"),
			("#date_of_birth", "date of birth"),
			("#home_zip", "ZIP"),
			("#email", "email"),
		):
			state = page.evaluate(ERROR_STATE, field)
			assert state["invalid"] and state["announced"], (field, state)
			assert any(text in message for message in state["messages"]), (field, state)
		assert_accessible(page, "sign-up: form refused")
		page.screenshot(path=str(SCREENSHOTS / "keyboard-sign-up-errors.png"))

		assert focused(page, "#first_name")
		page.keyboard.type(patient.first_name)
		for field, text in (
			("#last_name", patient.last_name),
			("#date_of_birth", TYPED_DOB),
			("#home_zip", ZIP),
			("#email", patient.email),
		):
			tab_to(page, field)
			page.keyboard.type(text)
		page.keyboard.press("Enter")
		page.locator(".portal-register[data-state='sent']").wait_for()
		assert focused(page, "[data-step='sent']"), "the notice that the mail went does not have the focus"
		assert page.get_attribute("[data-step='sent']", "role") == "status"
		assert_accessible(page, "sign-up: mail sent")

		frappe.db.rollback()
		request = frappe.db.get_value(REGISTRATION, {"email": patient.email}, "name")
		(mail,) = queued_mails(request, REGISTRATION)
		page.goto(base_url + mailed_path(mail["html"], "/portal/register"))
		page.locator(".portal-register[data-state='credentials']").wait_for()
		tab_to(page, "#password")
		page.keyboard.type(strong_password())
		page.keyboard.press("Enter")
		page.wait_for_url("**/portal")
		page.locator("[data-portal-patients]", has_text=patient.patient_name).wait_for()
		context.close()
	finally:
		frappe.db.rollback()
		frappe.db.set_single_value(SETTINGS, "auto_enable_verified_sign_up", previous)
		frappe.db.commit()


def test_forgot_password_then_reset(browser, base_url, patients):
	patient = patients()
	active_login(patient.name)
	frappe.db.commit()
	context, page = person(browser)
	page.goto(f"{base_url}/login")
	page.locator("[data-portal-sign-up]").wait_for()
	tab_to(page, ".forgot-password-message a")
	page.keyboard.press("Enter")
	page.wait_for_url("**/portal/forgot-password")
	tab_to(page, "#identifier")
	page.keyboard.press("Enter")  # nothing typed
	assert_error_on(page, "#identifier", "username or email")
	page.keyboard.type(patient.email)
	page.keyboard.press("Enter")
	page.locator(".portal-forgot[data-state='sent']").wait_for()
	assert focused(page, "[data-role='sent']"), "the notice that the mail went does not have the focus"
	assert_accessible(page, "forgot password: sent")

	run_queued_job(password_api.answer_job_id(patient.email))
	frappe.db.rollback()
	account = frappe.db.get_value(ACCOUNT, {"patient": patient.name}, "name")
	reset = frappe.db.get_value("Patient Portal Password Reset", {"account": account}, "name")
	(mail,) = queued_mails(reset, "Patient Portal Password Reset")
	page.goto(base_url + mailed_path(mail["html"], "/portal/reset-password"))
	page.locator(".portal-reset[data-state='form']").wait_for()
	tab_to(page, "#new_password")
	new_password = strong_password()
	page.keyboard.type(new_password)
	page.keyboard.press("Tab")
	page.keyboard.type(new_password + "x")
	page.keyboard.press("Enter")
	assert_error_on(page, "#confirm_password", "do not match")
	assert_accessible(page, "reset password: passwords differ")
	replace_text(page, new_password)
	page.keyboard.press("Enter")
	page.wait_for_url("**/portal")
	context.close()


def test_forced_password_change_after_a_refused_sign_in(browser, base_url, patients):
	patient = patients()
	account = account_api.enable(patient.name)["account"]
	username, password = unique("kb."), strong_password()
	account_api.set_credentials(account, username, password)
	frappe.db.commit()
	context, page = person(browser)
	sign_in(page, base_url, username, password + "x")
	# Frappe rewrites its button; the page says it aloud and ties it to both fields.
	page.locator("#login_password[aria-invalid='true']").wait_for()
	state = page.evaluate(ERROR_STATE, "#login_password")
	assert state["focused"] and state["announced"] and state["messages"], state
	assert page.evaluate(ERROR_STATE, "#login_email")["messages"] == state["messages"]

	replace_text(page, password)
	tab_to(page, ".toggle-password")  # "Show" is reachable and works from the keyboard
	page.keyboard.press("Enter")
	assert page.get_attribute("#login_password", "type") == "text"
	page.keyboard.press("Shift+Tab")
	assert focused(page, "#login_password")
	page.keyboard.press("Enter")
	page.wait_for_url("**/portal/change-password")
	page.locator("[data-role='required']").wait_for()
	tab_to(page, "#new_password")
	page.keyboard.type(password)  # the clinic's password again
	page.keyboard.press("Tab")
	page.keyboard.type(password)
	page.keyboard.press("Enter")
	assert_error_on(page, "#new_password", "different")
	assert_accessible(page, "forced change: refused")
	page.screenshot(path=str(SCREENSHOTS / "keyboard-change-password-error.png"))
	new_password = strong_password()
	replace_text(page, new_password)
	page.keyboard.press("Tab")
	replace_text(page, new_password)
	page.keyboard.press("Enter")
	page.wait_for_url("**/portal")
	context.close()


def test_switching_patients(browser, base_url, patients):
	children = [patients(first_name=name) for name in ("Alma", "Bruno", "Carla")]
	parent = {
		"first_name": "Robin",
		"last_name": "Parent",
		"email": f"{unique('robin')}@example.com",
		"relation": "Parent",
	}
	username, password = unique("kb."), strong_password()
	for n, child in enumerate(children):
		account, key = invited(child.name, parent)
		assert accept_link(key, username=username, password=password, existing_login=n)["ok"]
		portal_access.set_permitted_sections(account, ["Appointments"])
	frappe.db.commit()
	context, page = person(browser)
	sign_in(page, base_url, username, password)
	page.wait_for_url("**/portal")
	select = page.locator("#portal_patient")
	index = "document.querySelector('#portal_patient').selectedIndex"
	assert page.evaluate(index) == 0
	tab_to(page, "#portal_patient")
	page.evaluate("window.still_here = true")
	page.keyboard.press("ArrowDown")
	page.keyboard.press("ArrowDown")  # past the second patient to the third, without leaving the page
	assert page.evaluate(index) == 2
	assert page.evaluate("window.still_here === true"), "an arrow key reloaded the page"
	third = select.input_value()
	with page.expect_navigation():
		page.keyboard.press("Enter")
	page.locator("[data-portal-patients]").first.wait_for()
	assert select.input_value() == third
	assert focused(page, "#portal_patient"), "the focus is not back on the switcher"
	assert_focus_shown(page)
	page.keyboard.press("ArrowUp")  # the second patient, with the Switch button this time
	tab_to(page, "[data-portal-switcher] button[type='submit']")
	with page.expect_navigation():
		page.keyboard.press("Enter")
	page.locator("[data-portal-patients]").first.wait_for()
	assert page.evaluate(index) == 1
	assert_accessible(page, "portal home after switching")
	context.close()


def test_filling_a_requested_form(browser, base_url, patients):
	web_form = ensure_intake_form()
	patient = patients()
	username, password = active_login(patient.name, ["Appointments", "Forms"])
	forms_api.request_form(patient.name, web_form)
	frappe.db.commit()
	context, page = person(browser)
	sign_in(page, base_url, username, password)
	page.wait_for_url("**/portal")
	tab_to(page, "[data-forms-waiting] a")
	page.keyboard.press("Enter")
	page.wait_for_url("**/portal/forms")
	tab_to(page, "[data-fill-in]")
	described = page.evaluate(
		"""() => document.activeElement.getAttribute("aria-describedby").split(" ")
			.map((id) => document.getElementById(id).textContent.trim()).join(" ")"""
	)
	assert "Portal Test Intake" in described, described
	page.keyboard.press("Enter")
	page.wait_for_url("**/portal-test-intake/new")
	page.locator("[data-fieldname='allergies'] input").wait_for()
	assert_accessible(page, "the requested web form")
	tab_to(page, "[data-fieldname='reason_for_visit'] textarea")
	page.keyboard.type("Yearly check-up")
	allergies = unique("penicillin-")
	tab_to(page, "[data-fieldname='allergies'] input")
	page.keyboard.type(allergies)
	tab_to(page, ".submit-btn")
	page.keyboard.press("Enter")
	page.locator(".success-page, .web-form-message, .success-title").first.wait_for()
	page.goto(f"{base_url}/portal/forms")
	page.locator("[data-form-sent]", has_text="Portal Test Intake").wait_for()
	context.close()

	frappe.db.rollback()
	assert frappe.db.get_value(INTAKE_DOCTYPE, {"allergies": allergies}, "patient") == patient.name
	assert frappe.db.get_value(FORM_REQUEST, {"patient": patient.name}, "status") == "Submitted"
