import pytest

import frappe

from portal_onboarding.constants import MANAGER_ROLE
from tests.e2e.desk import login
from tests.integration.factories import make_user


@pytest.fixture
def manager():
	"""A committed Portal Onboarding Manager with a random password, removed afterwards."""
	email, password = make_user(["System Manager", MANAGER_ROLE])
	frappe.db.commit()
	yield email, password
	frappe.delete_doc("User", email, force=True, ignore_permissions=True)
	frappe.db.commit()


def test_manager_opens_portal_onboarding_settings_in_desk(page, base_url, manager):
	login(page, base_url, *manager)
	page.goto(f"{base_url}/app/portal-onboarding-settings")
	page.wait_for_selector("[data-fieldname='invitation_lifetime_hours'] input")
	assert page.locator(".title-text").first.inner_text().strip() == "Portal Onboarding Settings"
	stored = frappe.db.get_single_value("Portal Onboarding Settings", "invitation_lifetime_hours")
	assert page.input_value("[data-fieldname='invitation_lifetime_hours'] input") == str(stored)
	assert page.locator("text=Require Identity Check at Activation").count() == 1


def test_out_of_bounds_lifetime_shows_the_field_in_the_error(page, base_url, manager):
	stored = frappe.db.get_single_value("Portal Onboarding Settings", "invitation_lifetime_hours")
	login(page, base_url, *manager)
	page.goto(f"{base_url}/app/portal-onboarding-settings")
	field = page.locator("[data-fieldname='invitation_lifetime_hours'] input")
	field.fill("0")
	field.press("Tab")
	page.keyboard.press("Control+s")
	dialog = page.locator(".modal.show .modal-body, .msgprint").first
	dialog.wait_for()
	assert "Invitation Lifetime (Hours)" in dialog.inner_text()
	frappe.db.rollback()
	assert frappe.db.get_single_value("Portal Onboarding Settings", "invitation_lifetime_hours") == stored
