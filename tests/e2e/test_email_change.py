"""A nurse types her own address into a patient's email in Desk: the link she then gets cannot take
the patient's login, which only its own password confirms; and a page on another site cannot sign a
visitor's browser into a portal login."""

from urllib.parse import unquote

import pytest

import frappe

from portal_onboarding.constants import ACCOUNT, INVITATION, AccountStatus
from portal_onboarding.invitations import sending
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import signed_in_page
from tests.e2e.rq_jobs import run_queued_job
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	make_eligible_patient,
	make_user,
	purge_patient,
	strong_password,
	unique,
)

DOB = "1990-05-17"
ZIP = "90210"
API = "/api/method/portal_onboarding.api."


@pytest.fixture
def active_patient(outgoing_mail):
	"""A patient whose login was activated with a known password, and a nurse; committed, then purged."""
	patient = make_eligible_patient(dob=DOB, pincode=ZIP)
	with JobRecorder() as jobs:
		account, invitation = sending.invite(patient.name)
		jobs.run()
	username, password = unique("pat."), strong_password()
	assert accept_link(activation_key(invitation.name), username=username, password=password)["ok"]
	nurse = make_user(["Nursing User"])
	frappe.db.commit()
	yield patient, account.name, username, password, nurse
	frappe.db.rollback()
	purge_patient(patient.name)
	frappe.delete_doc("User", nurse[0], force=True, ignore_permissions=True)
	frappe.db.commit()


def signed_in_as(context) -> str | None:
	return {c["name"]: unquote(c["value"]) for c in context.cookies()}.get("user_id")


def test_the_nurses_link_cannot_take_the_login_and_its_owner_confirms_it(browser, base_url, active_patient):
	patient, account, username, password, (nurse, nurse_password) = active_patient
	own = f"{unique('nurse')}@example.com"

	# The nurse edits the Patient in Desk, as her role allows.
	context, desk = signed_in_page(browser, base_url, nurse, nurse_password)
	desk.goto(f"{base_url}/app/patient/{patient.name}")
	field = desk.locator("[data-fieldname='email'] input").first
	field.wait_for()
	field.fill(own)
	desk.keyboard.press("Control+s")
	desk.locator(".indicator-pill", has_text="Not Saved").wait_for(state="detached")
	context.close()
	frappe.db.rollback()
	assert frappe.db.get_value(ACCOUNT, account, "status") == AccountStatus.SUSPENDED
	(link,) = frappe.get_all(INVITATION, filters={"account": account, "reverification": 1}, pluck="name")
	# The worker delivers the link her save queued (here: run by hand, after her commit).
	run_queued_job(f"portal_onboarding:invitation:{link}")
	frappe.db.rollback()
	key = activation_key(link)

	# She opens it, passes the identity check with what the Patient form shows her...
	person = browser.new_context()
	page = person.new_page()
	page.set_default_timeout(30_000)
	page.goto(f"{base_url}/portal/activate#key={key}")
	identity = page.locator("[data-step='identity']:not(.d-none)")
	confirm = page.locator("[data-step='confirm']:not(.d-none)")
	identity.or_(confirm).wait_for()
	if identity.is_visible():
		page.fill("#date_of_birth", DOB)
		page.fill("#home_zip", ZIP)
		page.click("[data-step='identity'] button[type='submit']")
	confirm.wait_for()
	page.locator("h1", has_text="Confirm your new email address").wait_for()
	assert page.input_value("#confirm_username") == username
	assert page.locator("#confirm_username").get_attribute("readonly") is not None
	assert page.locator("[data-step='credentials']").is_hidden(), "no new login can be chosen here"
	# ...but a password of her choosing is refused.
	page.fill("#confirm_password", strong_password())
	page.click("[data-step='confirm'] button[type='submit']")
	page.locator("[data-role='error']", has_text="password is not correct").wait_for()
	page.screenshot(path=str(SCREENSHOTS / "activate-confirm-new-address.png"))
	assert signed_in_as(person) in (None, "Guest")
	frappe.db.rollback()
	assert frappe.db.get_value(ACCOUNT, account, "status") == AccountStatus.SUSPENDED

	# The login's holder confirms with the password they sign in with, and lands on the portal.
	page.fill("#confirm_password", password)
	page.click("[data-step='confirm'] button[type='submit']")
	page.wait_for_url("**/portal")
	frappe.db.rollback()
	assert frappe.db.get_value(ACCOUNT, account, ["status", "contact_email"]) == (AccountStatus.ACTIVE, own)
	assert signed_in_as(person) == frappe.db.get_value(ACCOUNT, account, "user")
	person.close()


def test_a_page_on_another_site_cannot_sign_a_visitor_in(browser, base_url, outgoing_mail):
	patient = make_eligible_patient(dob=DOB, pincode=ZIP)
	with JobRecorder() as jobs:
		account, invitation = sending.invite(patient.name)
		jobs.run()
	frappe.db.commit()
	key = activation_key(invitation.name)
	try:
		# The attacker answered the identity check for a link they hold, then builds a page that posts
		# the link and a password of their choosing from the visitor's browser.
		from tests.integration.factories import confirm_identity

		confirm_identity(key, DOB, ZIP)
		frappe.db.commit()
		attack = f"""<!doctype html><html lang="en"><title>Prize</title><body>
			<form id="f" method="post" action="{base_url}{API}invitation.accept">
			<input name="key" value="{key}"><input name="username" value="{unique("atk.")}">
			<input name="password" value="{strong_password()}"></form>
			<script>document.getElementById('f').submit()</script></body></html>"""
		visitor = browser.new_context()
		visitor.route(
			"http://evil.example/**",
			lambda route: route.fulfill(status=200, content_type="text/html", body=attack),
		)
		page = visitor.new_page()
		page.set_default_timeout(30_000)
		with page.expect_response(lambda r: "invitation.accept" in r.url) as posted:
			page.goto("http://evil.example/prize")
		assert posted.value.status == 403
		assert signed_in_as(visitor) in (None, "Guest")
		visitor.close()
		frappe.db.rollback()
		assert frappe.db.get_value(ACCOUNT, account.name, ["status", "user"]) == (AccountStatus.INVITED, None)
	finally:
		frappe.db.rollback()
		purge_patient(patient.name)
		frappe.db.commit()
