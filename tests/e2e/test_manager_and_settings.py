"""A user whose only role is Portal Onboarding Manager runs the tool in Chromium (the report, the
Patient's Portal actions) without editing the Patient; the settings form says what a new account
will see and flags what would leave a feature inert."""

from urllib.parse import quote

import pytest

import frappe

from portal_onboarding.constants import ACCOUNT, MANAGER_ROLE, SETTINGS, AccessType, AccountStatus
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import open_portal_action, signed_in_page
from tests.integration.factories import delete_user, make_eligible_patient, make_user, purge_patient, unique

REPORT = "Patient Portal Onboarding"


@pytest.fixture
def manager_only(outgoing_mail):
	"""A committed user with the manager role and nothing else, and one eligible patient."""
	manager = make_user([MANAGER_ROLE])
	patient = make_eligible_patient(last_name=unique("Solo"))
	frappe.db.commit()
	yield manager, patient
	frappe.db.rollback()
	purge_patient(patient.name)
	delete_user(manager[0])
	frappe.db.commit()


def test_the_manager_role_alone_runs_the_report_and_enables_from_the_patient(browser, base_url, manager_only):
	(email, password), patient = manager_only
	context, page = signed_in_page(browser, base_url, email, password)
	try:
		page.goto(f"{base_url}/app/query-report/{quote(REPORT)}?search={quote(patient.last_name)}")
		page.locator(f".dt-scrollable .po-status[data-patient='{patient.name}']").wait_for()
		assert "permission" not in page.locator("body").inner_text().lower()
		page.screenshot(path=str(SCREENSHOTS / "onboarding-report-manager-only.png"), full_page=True)

		open_portal_action(page, base_url, patient.name, "Enable portal access")
		page.wait_for_function(
			"() => /Portal: Enabled/.test(document.querySelector('[data-portal-status]')?.innerText || '')"
		)
		# The clinical fields stay read-only to this role: no Save on the Patient.
		assert page.locator(".primary-action:visible", has_text="Save").count() == 0
		page.screenshot(path=str(SCREENSHOTS / "desk-patient-manager-only.png"))
	finally:
		context.close()
	frappe.db.rollback()
	account = frappe.db.get_value(
		ACCOUNT, {"patient": patient.name, "access_type": AccessType.SELF}, "status"
	)
	assert account == AccountStatus.ENABLED


def test_settings_say_what_a_new_account_sees_and_flag_inert_settings(browser, base_url, manager_only):
	(email, password), _patient = manager_only
	before = frappe.db.get_single_value(SETTINGS, "reminder_after_days")
	context, page = signed_in_page(browser, base_url, email, password)
	try:
		page.goto(f"{base_url}/app/portal-onboarding-settings")
		intro = page.locator(".po-new-account-sees")
		intro.wait_for()
		for section in ("Personal details", "Appointments", "Lab Results", "Prescriptions", "Forms"):
			assert section in intro.inner_text()
		assert page.locator(".po-settings-notices").count() == 0

		frappe.db.set_single_value(SETTINGS, "reminder_after_days", 3)
		frappe.db.commit()
		page.reload()
		page.locator(".po-settings-notices", has_text="no reminder will be sent").wait_for()
		assert page.locator(".po-new-account-sees").is_visible()
		page.screenshot(path=str(SCREENSHOTS / "desk-settings-notices.png"), full_page=True)
	finally:
		context.close()
		frappe.db.set_single_value(SETTINGS, "reminder_after_days", before)
		frappe.db.commit()
