"""A teenager's parent while the clinic asks for the teen's assent, in the browser: the parent's portal
shows only the home page saying the clinic will help; an admin records the assent on the account's
Representation buttons and the parent then sees the partial years' sections; the admin records a legal
guardianship with the document seen."""

from urllib.parse import quote

import pytest

import frappe
from frappe.utils import add_years, today

from portal_onboarding.constants import ACCOUNT, EVENT, MANAGER_ROLE, SETTINGS, EventType
from portal_onboarding.invitations import portal_access, sending
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import signed_in_page
from tests.e2e.test_account_management import open_account, portal_sign_in
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

PARENT = {"first_name": "Robin", "last_name": "Parent", "relation": "Parent"}


@pytest.fixture
def teen_and_parent(outgoing_mail):
	"""A 14-year-old whose parent has an Active login with three sections, the clinic asking for the
	teen's assent, and a portal manager; all removed afterwards."""
	manager = make_user(["System Manager", MANAGER_ROLE])
	teen = make_eligible_patient(first_name="Noa", dob=add_years(today(), -14))
	bystander = make_eligible_patient(first_name="Ivo", dob=add_years(today(), -14))
	username, password = unique("robin."), strong_password()
	with JobRecorder() as jobs:
		account, invitation = sending.invite(
			teen.name, representative={**PARENT, "email": f"{unique('robin')}@example.com"}
		)
		other, _other_invitation = sending.invite(
			bystander.name, representative={**PARENT, "email": f"{unique('kim')}@example.com"}
		)
		jobs.run()
	key = activation_key(invitation.name)
	assert accept_link(key, username=username, password=password, dob=str(teen.dob))["ok"]
	portal_access.set_permitted_sections(account.name, ["Appointments", "Lab Results", "Prescriptions"])
	settings = frappe.get_single(SETTINGS)
	was = (settings.teen_assent_required, [row.portal_section for row in settings.partial_access_sections])
	settings.teen_assent_required = 1
	settings.set("partial_access_sections", [{"portal_section": "Appointments"}])
	settings.save()
	frappe.db.commit()
	yield manager, teen, account.name, other.name, username, password
	frappe.db.rollback()
	settings = frappe.get_single(SETTINGS)
	settings.teen_assent_required = was[0]
	settings.set("partial_access_sections", [{"portal_section": s} for s in was[1]])
	settings.save()
	frappe.db.commit()
	for patient in (teen, bystander):
		purge_patient(patient.name)
	delete_user(manager[0])


def portal_home(browser, base_url: str, username: str, password: str):
	context = browser.new_context(viewport={"width": 420, "height": 860})
	page = context.new_page()
	page.set_default_timeout(30_000)
	portal_sign_in(page, base_url, username, password)
	page.wait_for_url("**/portal")
	return context, page


def item(desk, label: str):
	"""The form's button-group entry named `label` (the group's own menu, not its small-screen copy)."""
	encoded = quote(label, safe="-_.!~*'()")  # as the browser's encodeURIComponent writes it
	return desk.locator(f'.page-actions .dropdown-item[data-label="{encoded}"]')


def representation(desk, label: str) -> None:
	desk.locator(".page-actions .custom-actions button", has_text="Representation").click()
	item(desk, label).click()


def test_assent_opens_the_partial_sections_and_a_guardianship_is_recorded(browser, base_url, teen_and_parent):
	(manager_email, manager_password), teen, account, bystander, username, password = teen_and_parent

	person, page = portal_home(browser, base_url, username, password)
	waiting = page.locator("[data-awaiting-assent]")
	waiting.wait_for()
	assert teen.first_name in waiting.inner_text()
	assert page.locator("[data-portal-home-sections] a").count() == 0
	assert page.locator("a[href='/portal/personal-details']").count() == 0
	assert_accessible(page, "portal home awaiting assent")
	page.screenshot(path=str(SCREENSHOTS / "portal-awaiting-assent.png"), full_page=True)
	assert page.goto(f"{base_url}/portal/lab-results").status == 403
	assert page.goto(f"{base_url}/portal/personal-details").status == 403

	admin, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	open_account(desk, base_url, account, "Active")
	representation(desk, "Record the patient's assent")
	desk.locator(".modal.show button.btn-primary", has_text="Yes").click()
	# The form reloads with the assent on file: its button now withdraws it.
	item(desk, "Withdraw assent").wait_for(state="attached")
	frappe.db.rollback()
	assert frappe.db.get_value(ACCOUNT, account, "teen_assent_by") == manager_email

	page.goto(f"{base_url}/portal")
	page.locator("[data-portal-home-sections] a", has_text="Appointments").wait_for()
	assert page.locator("[data-awaiting-assent]").count() == 0
	# The partial years' section, and the patient's own personal details (every grant's).
	assert [a.inner_text().strip() for a in page.locator("[data-portal-home-sections] a").all()] == [
		"Appointments",
		"Personal details",
	]
	assert page.goto(f"{base_url}/portal/lab-results").status == 403
	person.close()

	representation(desk, "Record legal guardianship")
	dialog = desk.locator(".modal.show").last
	dialog.locator("[data-fieldname='document'] textarea").fill("Court order 2026/114, seen 5 Dec 2026")
	desk.screenshot(path=str(SCREENSHOTS / "desk-account-guardianship.png"))
	dialog.locator("button.btn-primary", has_text="Record").click()
	item(desk, "End guardianship").wait_for(state="attached")
	desk.locator(
		".frappe-control[data-fieldname='guardianship_document']", has_text="Court order"
	).first.wait_for()
	desk.screenshot(path=str(SCREENSHOTS / "desk-account-representation.png"), full_page=True)
	admin.close()

	frappe.db.rollback()
	assert frappe.db.get_value(ACCOUNT, account, ["guardian_of_adult", "guardianship_document"]) == (
		1,
		"Court order 2026/114, seen 5 Dec 2026",
	)
	kinds = frappe.get_all(EVENT, filters={"account": account}, pluck="event_type")
	assert EventType.ASSENT_RECORDED in kinds and EventType.GUARDIANSHIP_RECORDED in kinds
	# The other teenager's parent: nothing recorded, nothing changed.
	assert frappe.db.get_value(ACCOUNT, bystander, ["teen_assent_on", "guardian_of_adult"]) == (None, 0)
	assert not frappe.db.exists(
		EVENT,
		{
			"account": bystander,
			"event_type": ("in", (EventType.ASSENT_RECORDED, EventType.GUARDIANSHIP_RECORDED)),
		},
	)
