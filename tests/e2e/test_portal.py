"""A representative on the portal: lands on /portal after signing in, switches between two children,
sees each one's appointments and lab results, and cannot open a third child's lab test by URL."""

import pytest

import frappe
from frappe.utils import add_days, today

from portal_onboarding.invitations import sending
from tests.e2e.conftest import SCREENSHOTS
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	make_eligible_patient,
	purge_patient,
	strong_password,
	unique,
)
from tests.integration.test_portal import CLINICAL, lab_test, permit, raw_insert


@pytest.fixture
def family(outgoing_mail):
	"""Two children granted to one parent's login, a third child who is not, and their records."""
	children = [make_eligible_patient(first_name=name) for name in ("Alma", "Bruno", "Carla")]
	parent = {
		"first_name": "Robin",
		"last_name": "Parent",
		"email": f"{unique('robin')}@example.com",
		"relation": "Parent",
	}
	username, password = unique("robin."), strong_password()
	for n, child in enumerate(children[:2]):
		with JobRecorder() as jobs:
			_account, invitation = sending.invite(child.name, representative=parent)
			jobs.run()
		assert accept_link(
			activation_key(invitation.name), username=username, password=password, existing_login=n
		)["ok"]
		permit(child.name)
	tests = [
		lab_test(child.name, value=value)
		for child, value in zip(children, ("4.1", "6.3", "5.5"), strict=True)
	]
	for child, doctor in zip(children, ("Dr Alder", "Dr Birch", "Dr Cedar"), strict=True):
		raw_insert(
			{
				"doctype": "Patient Appointment",
				"patient": child.name,
				"appointment_date": add_days(today(), 5),
				"appointment_time": "10:15:00",
				"practitioner_name": doctor,
				"status": "Scheduled",
			}
		)
	frappe.db.commit()
	yield children, tests, username, password
	for doctype in CLINICAL:
		frappe.db.delete(doctype, {"patient": ("in", [c.name for c in children])})
	frappe.db.delete("Normal Test Result", {"parent": ("in", tests)})
	frappe.db.commit()
	for child in children:
		purge_patient(child.name)


def test_a_parent_switches_between_two_children_and_cannot_reach_a_third(browser, base_url, family):
	children, tests, username, password = family
	context = browser.new_context(viewport={"width": 900, "height": 900})
	page = context.new_page()
	page.set_default_timeout(30_000)
	page.goto(f"{base_url}/login")
	page.fill("#login_email", username)
	page.fill("#login_password", password)
	page.click(".btn-login")
	page.wait_for_url("**/portal")  # where a patient's login lands
	switcher = page.locator("[data-portal-switcher] select")
	for child in children[:2]:
		assert child.patient_name in switcher.inner_text()
	assert children[2].patient_name not in page.content()
	page.screenshot(path=str(SCREENSHOTS / "portal-representative-home.png"))
	page.set_viewport_size({"width": 1280, "height": 800})
	# Signed in on every portal page: the navbar's account menu, no "Login" link.
	for path in ("/portal", "/portal/appointments"):
		page.goto(f"{base_url}{path}")
		page.locator("#website-post-login").wait_for(state="visible")
		assert not page.locator(".btn-login-area").is_visible(), path
	page.set_viewport_size({"width": 900, "height": 900})

	for child, test, doctor in zip(children[:2], tests[:2], ("Dr Alder", "Dr Birch"), strict=True):
		page.goto(f"{base_url}/portal")
		page.locator("[data-portal-switcher] select").select_option(child.name)
		page.wait_for_load_state("networkidle")
		page.locator("[data-portal-switcher] select").wait_for()
		assert page.locator("[data-portal-switcher] select").input_value() == child.name
		page.click("[data-section='Appointments']")
		page.locator("[data-appointment]", has_text=doctor).wait_for()
		page.click("[data-section='Lab Results']")
		page.locator(f"[data-lab-test='{test}']").wait_for()
		other = tests[1] if test == tests[0] else tests[0]
		assert page.locator(f"[data-lab-test='{other}']").count() == 0
	page.screenshot(path=str(SCREENSHOTS / "portal-lab-results.png"), full_page=True)

	page.goto(f"{base_url}/lab-test/{tests[2]}")  # Marley's route: redirected, nothing of the third child
	page.wait_for_url("**/portal/lab-results")
	assert tests[2] not in page.content()
	assert children[2].patient_name not in page.content()
	# A switcher value naming a child who is not granted: refused, and the choice stays.
	status = page.evaluate(
		"""(patient) => fetch("/api/method/portal_onboarding.api.portal.choose_patient", {
			method: "POST",
			headers: {"Content-Type": "application/x-www-form-urlencoded", "X-Frappe-CSRF-Token": frappe.csrf_token},
			body: new URLSearchParams({patient}),
		}).then((r) => r.status)""",
		children[2].name,
	)
	assert status == 403
	page.goto(f"{base_url}/portal/lab-results")
	page.locator(f"[data-lab-test='{tests[1]}']").wait_for()
	assert tests[2] not in page.content()
	context.close()
