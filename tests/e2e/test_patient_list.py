"""The Patient list answers "who is where": a coloured Portal Status column, and Portal Status in the
sidebar's group-by for portal admins."""

import pytest

import frappe

from portal_onboarding.constants import (
	INVITATION,
	MANAGER_ROLE,
	PATIENT,
	PORTAL_STATUS_FIELD,
	InvitationStatus,
)
from portal_onboarding.core.status import STATUS_COLOURS
from portal_onboarding.invitations import delivery, portal_access, sending
from portal_onboarding.security.actions import acting
from portal_onboarding.setup.patient_list import (
	hide_portal_status_in_patient_list,
	show_portal_status_in_patient_list,
)
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import signed_in_page
from tests.integration.factories import (
	delete_user,
	make_eligible_patient,
	make_patient,
	make_user,
	purge_patient,
	unique,
)


@pytest.fixture(scope="module", autouse=True)
def portal_status_column():
	"""The column install arranges; arranged here when the test site was installed before it existed."""
	had_column = frappe.get_meta(PATIENT).get_field(PORTAL_STATUS_FIELD).in_list_view
	show_portal_status_in_patient_list()
	frappe.db.commit()
	yield
	if not had_column:
		hide_portal_status_in_patient_list()
		frappe.db.commit()


def expired_invitation(patient: str) -> None:
	"""Invite, send (as far as the invitation row knows) and let the link run out, as the hourly job does."""
	_account, invitation = sending.invite(patient, enqueue=False)
	frappe.db.set_value(
		INVITATION,
		invitation.name,
		{"status": InvitationStatus.SENT, "expires_on": frappe.utils.add_to_date(None, hours=-1)},
	)
	with acting():
		delivery.expire_one(invitation.name)


@pytest.fixture
def ward():
	"""Four committed patients, one in each of four portal statuses, tagged by a unique occupation (which
	the list does not show); purged afterwards. Returns (tag, {patient name: portal status})."""
	tag = unique("ward-")
	patients = [make_patient(first_name="Ada", last_name="Lovelace", occupation=tag)]
	for first_name, last_name in (("Ben", "Okafor"), ("Cleo", "Marsh"), ("Dev", "Patel")):
		patients.append(make_eligible_patient(first_name=first_name, last_name=last_name, occupation=tag))
	portal_access.enable(patients[1].name)
	sending.invite(patients[2].name, enqueue=False)
	expired_invitation(patients[3].name)
	frappe.db.commit()
	statuses = {
		patient.patient_name: frappe.db.get_value(PATIENT, patient.name, PORTAL_STATUS_FIELD)
		for patient in patients
	}
	assert sorted(statuses.values()) == ["Enabled", "Invite Expired", "Invited", "Not Enabled"]
	yield tag, statuses
	for patient in patients:
		purge_patient(patient.name)


@pytest.fixture
def user_with():
	"""Make committed users with the given roles; removes them afterwards."""
	made = []

	def make(roles: list[str]) -> tuple[str, str]:
		made.append(make_user(roles))
		frappe.db.commit()
		return made[-1]

	yield make
	for email, _password in made:
		delete_user(email)


PORTAL_GROUP_BY = "a[data-fieldname='portal_status']"


def open_ward_list(page, base_url: str, tag: str, count: int):
	"""The Patient list filtered to the ward, once its rows and the sidebar have settled."""
	page.goto(f"{base_url}/app/patient?occupation={tag}")
	rows = page.locator(".list-row-container .list-row")
	rows.nth(count - 1).wait_for()
	page.locator(".list-sidebar .group-by-field").first.wait_for()
	page.wait_for_timeout(1000)  # the sidebar's default group-by is a round trip behind the rows
	return rows


def test_an_admin_sees_who_is_where_in_the_patient_list(browser, base_url, ward, user_with):
	tag, statuses = ward
	context, page = signed_in_page(browser, base_url, *user_with(["System Manager", MANAGER_ROLE]))
	rows = open_ward_list(page, base_url, tag, len(statuses))
	assert rows.count() == len(statuses)

	for name, status in statuses.items():
		pill = rows.filter(has_text=name).locator("[data-portal-status]")
		assert pill.get_attribute("data-portal-status") == status
		assert pill.inner_text().strip() == status
		assert STATUS_COLOURS[status] in pill.get_attribute("class").split()
	# Marley's own Active/Disabled column is still there, beside it.
	assert rows.first.locator(".list-row-col [data-filter='status,=,Active']").is_visible()

	# Portal Status is in the sidebar's group-by without the admin choosing it; the counts follow the list.
	group_by = page.locator(".group-by-field").filter(has=page.locator(PORTAL_GROUP_BY))
	group_by.locator("a").first.click()
	items = group_by.locator(".group-by-item")
	items.first.wait_for()
	counts = {
		item.locator(".group-by-value").inner_text().strip(): int(
			item.locator(".group-by-count").inner_text()
		)
		for item in items.all()
	}
	assert counts == dict.fromkeys(statuses.values(), 1)
	page.screenshot(path=str(SCREENSHOTS / "patient-list-portal-status.png"))

	# Picking a status filters the list to it, as every Frappe group-by does.
	items.filter(has_text="Invited").first.click()
	page.wait_for_function("() => document.querySelectorAll('.list-row-container .list-row').length === 1")
	assert rows.first.locator("[data-portal-status]").get_attribute("data-portal-status") == "Invited"
	context.close()


def test_an_admin_who_drops_the_group_by_keeps_it_dropped(browser, base_url, ward, user_with):
	tag, statuses = ward
	context, page = signed_in_page(browser, base_url, *user_with(["System Manager", MANAGER_ROLE]))
	open_ward_list(page, base_url, tag, len(statuses))
	page.locator(f".group-by-field {PORTAL_GROUP_BY}").wait_for()
	page.locator(".add-list-group-by a").click()
	dialog = page.locator(".modal.show", has_text="Select Filters")
	checkbox = dialog.locator("input[data-unit='portal_status']")
	assert checkbox.is_checked()  # the sidebar's own editor knows the default
	checkbox.uncheck()
	dialog.locator(".btn-primary", has_text="Save").click()
	page.locator(f".group-by-field {PORTAL_GROUP_BY}").wait_for(state="detached")

	open_ward_list(page, base_url, tag, len(statuses))
	assert page.locator(f".group-by-field {PORTAL_GROUP_BY}").count() == 0
	context.close()


def test_a_nurse_sees_the_column_but_keeps_her_own_sidebar(browser, base_url, ward, user_with):
	tag, statuses = ward
	context, page = signed_in_page(browser, base_url, *user_with(["Nursing User"]))
	rows = open_ward_list(page, base_url, tag, len(statuses))
	assert rows.locator("[data-portal-status]").count() == len(statuses)
	assert page.locator(f".group-by-field {PORTAL_GROUP_BY}").count() == 0
	context.close()
