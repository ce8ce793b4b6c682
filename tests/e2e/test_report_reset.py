"""The front desk in Chromium: from the onboarding report, an Active patient's email sends a password reset
link after a confirm, through the account's own action, while an invited patient's email still invites;
and once the person signs in, the account's list and form show their Last Login."""

from urllib.parse import quote

import pytest

import frappe
from frappe.utils import get_datetime

from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	MANAGER_ROLE,
	PASSWORD_RESET,
	AccountStatus,
	EventType,
)
from portal_onboarding.invitations import sending
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import login, signed_in_page
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

REPORT = "Patient Portal Onboarding"


def invited(patient: str) -> tuple[str, str]:
	"""Invite the patient and deliver the mail as the worker would: (account, invitation)."""
	with JobRecorder() as jobs:
		account, invitation = sending.invite(patient)
		jobs.run()
	return account.name, invitation.name


@pytest.fixture
def desk_day(outgoing_mail):
	"""A portal admin, an Active patient and an Invited one sharing a family name no one else has; all
	committed for the server, and removed afterwards."""
	family = unique("Reset")
	manager = make_user(["System Manager", MANAGER_ROLE])
	active = make_eligible_patient(first_name="Ada", last_name=family)
	waiting = make_eligible_patient(first_name="Ben", last_name=family)
	account, invitation = invited(active.name)
	login = (unique("ada."), strong_password())
	assert accept_link(activation_key(invitation), *login)["ok"]
	invited(waiting.name)
	frappe.db.commit()
	yield family, manager, active, account, waiting, login
	frappe.db.rollback()
	for patient in (active, waiting):
		purge_patient(patient.name)
	delete_user(manager[0])


def test_an_active_patients_email_sends_a_reset_link_after_a_confirm(browser, base_url, desk_day):
	family, manager, active, account, waiting, _login = desk_day
	invitations = frappe.db.count(INVITATION, {"account": account})
	context, page = signed_in_page(browser, base_url, *manager)
	try:
		page.goto(f"{base_url}/app/query-report/{quote(REPORT)}?search={quote(family)}")
		page.locator(".dt-scrollable .po-status").first.wait_for()
		email = page.locator(f".dt-scrollable .po-reset[data-patient='{active.name}']")
		assert email.inner_text() == active.email
		assert email.get_attribute("title") == "Send a password reset link"
		other = page.locator(f".dt-scrollable .po-invite[data-patient='{waiting.name}']")
		assert other.get_attribute("title") == "Resend the invitation"

		email.click()
		dialog = page.locator(".modal.show", has_text="a link to choose a new password")
		dialog.wait_for()
		assert active.email in dialog.inner_text()
		page.screenshot(path=str(SCREENSHOTS / "onboarding-report-reset.png"), full_page=True)
		dialog.locator(".btn-primary", has_text="Yes").click()
		page.locator(".alert-message", has_text="Password reset link sent").wait_for()
		# The row stays Active and its email still offers the reset.
		page.locator(f".dt-scrollable .po-reset[data-patient='{active.name}']").wait_for()
	finally:
		context.close()

	frappe.db.rollback()
	assert frappe.db.get_value(ACCOUNT, account, "status") == AccountStatus.ACTIVE
	(reset,) = frappe.get_all(PASSWORD_RESET, filters={"account": account}, pluck="name")
	(mail,) = queued_mails(reset, PASSWORD_RESET)
	assert mail["recipients"] == [frappe.db.get_value(ACCOUNT, account, "contact_email")]
	assert mail["recipients"] == [active.email]
	assert "/portal/reset-password#key=" in mail["html"]
	assert frappe.db.count(INVITATION, {"account": account}) == invitations, "no invitation went out"
	assert frappe.db.exists(
		EVENT, {"account": account, "event_type": EventType.PASSWORD_RESET_SENT, "actor": manager[0]}
	)
	waiting_account = frappe.db.get_value(ACCOUNT, {"patient": waiting.name})
	assert not frappe.db.exists(PASSWORD_RESET, {"account": waiting_account})


def test_the_account_list_and_form_show_the_last_login(browser, base_url, desk_day):
	_family, manager, active, account, _waiting, (username, password) = desk_day
	person = browser.new_context(viewport={"width": 420, "height": 860})
	page = person.new_page()
	page.set_default_timeout(30_000)
	page.goto(f"{base_url}/login")
	page.fill("#login_email", username)
	page.fill("#login_password", password)
	page.click(".btn-login")
	page.wait_for_url("**/portal")
	person.close()
	frappe.db.rollback()
	user = frappe.db.get_value(ACCOUNT, account, "user")
	stamp = frappe.db.get_value("User", user, "last_login")
	assert stamp and frappe.db.get_value(ACCOUNT, account, "last_login") == get_datetime(stamp)

	# A screen wide enough for every column the list has (Frappe cuts them to what the screen holds).
	context = browser.new_context(viewport={"width": 1920, "height": 900})
	desk = context.new_page()
	desk.set_default_timeout(30_000)
	login(desk, base_url, *manager)
	try:
		desk.goto(f"{base_url}/app/patient-portal-account?patient={quote(active.name)}")
		desk.locator(".list-row-head", has_text="Last Login").wait_for()
		row = desk.locator(".list-row", has_text=account).first
		row.locator(f"[data-filter='last_login,=,{stamp}']").wait_for()
		desk.screenshot(path=str(SCREENSHOTS / "desk-account-list-last-login.png"))
		desk.goto(f"{base_url}/app/patient-portal-account/{account}")
		field = desk.locator("[data-fieldname='last_login'] .control-value")
		field.wait_for()
		assert field.inner_text().strip()
	finally:
		context.close()
