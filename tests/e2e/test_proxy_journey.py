"""A proxy the patient chooses, in the browser: the patient opens People who can see my record, invites
a person and sees the code; the person opens the mailed link, gives the code, makes a login and lands on
the portal with the patient in view; the patient stops the access and the proxy's next page load no
longer shows the patient."""

import re

import pytest

import frappe

from portal_onboarding.constants import ACCOUNT, INVITATION, AccountStatus, InvitationStatus
from portal_onboarding.invitations import sending
from tests.e2e.axe import describe, violations
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.rq_jobs import run_queued_job
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	make_eligible_patient,
	purge_patient,
	strong_password,
	unique,
)

CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")


@pytest.fixture
def patient(outgoing_mail):
	"""An adult patient with an Active login of their own, committed; removed with every proxy after."""
	person = make_eligible_patient(first_name="Marta", last_name="Olsen")
	username, password = unique("marta."), strong_password()
	with JobRecorder() as jobs:
		_account, invitation = sending.invite(person.name)
		jobs.run()
	assert accept_link(activation_key(invitation.name), username=username, password=password)["ok"]
	frappe.db.commit()
	yield person, username, password
	frappe.db.rollback()
	frappe.db.sql("delete from `__Auth` where doctype = %s and fieldname = 'proxy_code'", INVITATION)
	frappe.db.commit()
	purge_patient(person.name)


def signed_in(browser, base_url: str, username: str, password: str, width: int = 1280):
	context = browser.new_context(viewport={"width": width, "height": 900})
	page = context.new_page()
	page.set_default_timeout(30_000)
	page.goto(f"{base_url}/login")
	page.fill("#login_email", username)
	page.fill("#login_password", password)
	page.click(".btn-login")
	page.wait_for_url("**/portal")
	return context, page


def test_invite_a_proxy_who_activates_with_the_code_then_stop_their_access(browser, base_url, patient):
	person, username, password = patient
	own, page = signed_in(browser, base_url, username, password)
	page.click("[data-section='People']")
	page.wait_for_url("**/portal/people")
	page.locator("[data-people-empty]").wait_for()
	form = page.locator("[data-invite-proxy]")
	email = f"{unique('jonas')}@example.com"
	form.locator("#invite-first-name").fill("Jonas")
	form.locator("#invite-last-name").fill("Berg")
	form.locator("#invite-email").fill(email)
	form.locator("#invite-relation").select_option("Spouse or Partner")
	# Nothing chosen to see yet: the page says so at the sections and sends nothing.
	form.locator("button[type='submit']").click()
	page.locator("#invite-error", has_text="at least one part").wait_for()
	form.get_by_label("Appointments").check()
	form.get_by_label("Lab Results").check()
	form.locator("button[type='submit']").click()

	card = page.locator("[data-person]", has_text="Jonas Berg")
	card.locator("[data-role='notice']:not(.d-none)", has_text="Invitation sent").wait_for()
	code = card.locator("[data-proxy-code]").inner_text().strip()
	assert CODE.match(code), code
	assert "Appointments, Lab Results" in card.locator("[data-person-sections]").inner_text()
	card.locator("summary").click()
	found = violations(page)
	assert not found, describe(found, "People who can see my record, with a pending proxy")
	page.screenshot(path=str(SCREENSHOTS / "portal-people.png"), full_page=True)

	frappe.db.rollback()
	account = frappe.db.get_value(ACCOUNT, {"patient": person.name, "contact_email": email}, "name")
	invitation = frappe.db.get_value(INVITATION, {"account": account}, "name")
	run_queued_job(f"portal_onboarding:invitation:{invitation}")
	frappe.db.rollback()
	key = activation_key(invitation)

	proxy = browser.new_context(viewport={"width": 420, "height": 860})
	invitee = proxy.new_page()
	invitee.set_default_timeout(30_000)
	invitee.goto(f"{base_url}/portal/activate#key={key}")
	step = invitee.locator("[data-step='code']:not(.d-none)")
	step.wait_for()
	assert "The code Marta gave you" in step.locator("label").inner_text()
	assert not invitee.locator("#date_of_birth").is_visible()
	invitee.fill("#proxy_code", "2222-2222")
	invitee.click("[data-step='code'] button[type='submit']")
	invitee.locator("[data-role='error']", has_text="do not match").wait_for()
	invitee.fill("#proxy_code", code.lower())
	invitee.screenshot(path=str(SCREENSHOTS / "proxy-code-step.png"))
	invitee.click("[data-step='code'] button[type='submit']")
	invitee.locator("[data-step='credentials']:not(.d-none)").wait_for()
	invitee.fill("#username", unique("jonas."))
	invitee.fill("#password", strong_password())
	invitee.click("[data-step='credentials'] button[type='submit']")
	invitee.wait_for_url("**/portal")
	invitee.locator("[data-portal-patients]", has_text=person.patient_name).wait_for()
	assert invitee.locator("[data-section='Lab Results']").count() == 1
	assert invitee.locator("[data-section='People']").count() == 0  # not their own record
	invitee.screenshot(path=str(SCREENSHOTS / "proxy-portal-home.png"))

	page.reload()
	card.locator("[data-person-state]", has_text="Can see your record").wait_for()
	assert card.locator("[data-proxy-code]").count() == 0  # the link is used: no code to pass on
	card.locator("summary").click()
	page.once("dialog", lambda dialog: dialog.accept())
	card.locator("[data-revoke-proxy]").click()
	card.locator("[data-role='notice']:not(.d-none)", has_text="can no longer see").wait_for()
	assert card.locator("[data-person-state]").inner_text().strip() == "Access stopped"
	own.close()

	invitee.goto(f"{base_url}/portal")
	invitee.wait_for_load_state("networkidle")
	assert person.patient_name not in invitee.content()
	proxy.close()
	frappe.db.rollback()
	assert frappe.db.get_value(ACCOUNT, account, "status") == AccountStatus.SUSPENDED
	assert frappe.db.get_value(INVITATION, invitation, "status") == InvitationStatus.ACCEPTED
