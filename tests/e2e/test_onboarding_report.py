"""The onboarding report in Chromium: a red row enabled and invited from its pill and email, an expired
invitation re-sent from its email after a confirm, then a bulk invitation whose progress bar runs to the
end, driven by a real RQ worker over Frappe's realtime server."""

from contextlib import contextmanager
from datetime import date, timedelta
from urllib.parse import quote

import pytest
import pytz
from freezegun import freeze_time

import frappe
from frappe.utils import get_datetime, get_system_timezone, getdate, today

from portal_onboarding.bulk import batch as bulk_batch
from portal_onboarding.constants import (
	ACCOUNT,
	BATCH,
	BATCH_ITEM,
	EVENT,
	INVITATION,
	MANAGER_ROLE,
	AccessType,
	AccountStatus,
	BatchStatus,
	EventType,
	InvitationStatus,
)
from portal_onboarding.core.age_policy import add_years
from portal_onboarding.invitations import delivery, sending
from portal_onboarding.security.actions import acting
from portal_onboarding.settings import age_policy
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import signed_in_page
from tests.e2e.rq_jobs import run_queued_job
from tests.integration.factories import (
	delete_user,
	make_eligible_patient,
	make_user,
	purge_patient,
	queued_mails,
	unique,
)

REPORT = "Patient Portal Onboarding"


@pytest.fixture
def ward(outgoing_mail):
	"""A portal admin and six eligible patients sharing a family name no one else has (the report's
	search isolates them); all committed for the server, and removed afterwards."""
	family = unique("Ward")
	manager = make_user(["System Manager", MANAGER_ROLE])
	patients = [
		make_eligible_patient(first_name=name, last_name=family).name
		for name in ("Ada", "Ben", "Cleo", "Dev", "Eve", "Finn")
	]
	frappe.db.commit()
	yield family, manager, patients
	frappe.db.rollback()
	for batch in frappe.get_all(
		BATCH_ITEM, filters={"patient": ("in", patients)}, pluck="batch", distinct=True
	):
		frappe.db.delete(BATCH_ITEM, {"batch": batch})
		frappe.db.delete(BATCH, {"name": batch})
	frappe.db.commit()
	for patient in patients:
		purge_patient(patient)
	delete_user(manager[0])
	frappe.db.commit()


def open_report(page, url: str, family: str) -> None:
	page.goto(f"{url}/app/query-report/{quote(REPORT)}?search={quote(family)}")
	page.locator(".dt-scrollable .po-status").first.wait_for()
	# Desk lifts its loading screen once the last request is answered: then the page is what it shows.
	page.wait_for_load_state("networkidle")


def pill(page, patient: str):
	return page.locator(f".dt-scrollable .po-status[data-patient='{patient}']")


def self_status(patient: str) -> str | None:
	frappe.db.rollback()
	return frappe.db.get_value(ACCOUNT, {"patient": patient, "access_type": AccessType.SELF}, "status")


def test_a_red_row_is_enabled_and_invited_from_the_report(browser, base_url, ward):
	family, manager, patients = ward
	context, page = signed_in_page(browser, base_url, *manager)
	try:
		open_report(page, base_url, family)
		first = patients[0]
		assert pill(page, first).inner_text() == "Not Enabled"
		assert "red" in pill(page, first).get_attribute("class")
		assert page.locator(".summary-item", has_text="Not Enabled").first.is_visible()
		page.screenshot(path=str(SCREENSHOTS / "onboarding-report.png"), full_page=True)

		pill(page, first).click()
		dialog = page.locator(".modal.show", has_text="Enable portal access")
		dialog.wait_for()
		dialog.locator(".btn-primary", has_text="Yes").click()
		page.wait_for_function(
			f"() => document.querySelector(\".po-status[data-patient='{first}']\")?.innerText === 'Enabled'"
		)
		assert "blue" in pill(page, first).get_attribute("class")
		assert self_status(first) == AccountStatus.ENABLED

		page.locator(f".dt-scrollable .po-invite[data-patient='{first}']").click()
		page.wait_for_function(
			f"() => document.querySelector(\".po-status[data-patient='{first}']\")?.innerText === 'Invited'"
		)
		assert "orange" in pill(page, first).get_attribute("class")
		page.screenshot(path=str(SCREENSHOTS / "onboarding-report-row-invited.png"), full_page=True)
	finally:
		context.close()

	# The invitation the email link sent, as the person receives it once the job has run.
	assert self_status(first) == AccountStatus.INVITED
	account = frappe.db.get_value(ACCOUNT, {"patient": first, "access_type": AccessType.SELF})
	invitation = frappe.db.get_value(INVITATION, {"account": account})
	run_queued_job(f"portal_onboarding:invitation:{invitation}")
	frappe.db.rollback()
	assert frappe.db.get_value(INVITATION, invitation, "status") == InvitationStatus.SENT
	(mail,) = queued_mails(invitation)
	assert mail["recipients"] == [frappe.db.get_value("Patient", first, "email")]
	assert "/portal/activate#key=" in mail["html"]


def test_an_expired_invitation_is_resent_from_its_row_after_a_confirm(browser, base_url, ward):
	family, manager, patients = ward
	patient = patients[1]
	# Invited, sent and run out, as the hourly expiry job leaves it.
	account, expired = sending.invite(patient, enqueue=False)
	frappe.db.set_value(
		INVITATION,
		expired.name,
		{"status": InvitationStatus.SENT, "expires_on": frappe.utils.add_to_date(None, hours=-1)},
	)
	with acting():
		delivery.expire_one(expired.name)
	frappe.db.commit()
	context, page = signed_in_page(browser, base_url, *manager)
	try:
		open_report(page, base_url, family)
		assert pill(page, patient).inner_text() == "Invite Expired"
		assert "yellow" in pill(page, patient).get_attribute("class")
		email = page.locator(f".dt-scrollable .po-invite[data-patient='{patient}']")
		assert email.get_attribute("title") == "Resend the invitation"
		email.click()
		dialog = page.locator(".modal.show", has_text="a new invitation")
		dialog.wait_for()
		page.screenshot(path=str(SCREENSHOTS / "onboarding-report-resend.png"), full_page=True)
		dialog.locator(".btn-primary", has_text="Yes").click()
		page.wait_for_function(
			f"() => document.querySelector(\".po-status[data-patient='{patient}']\")?.innerText === 'Invited'"
		)
	finally:
		context.close()

	assert self_status(patient) == AccountStatus.INVITED
	assert frappe.db.get_value(INVITATION, expired.name, "status") == InvitationStatus.EXPIRED
	assert frappe.db.exists(
		EVENT, {"account": account.name, "event_type": EventType.INVITATION_RESENT, "actor": manager[0]}
	)
	new = frappe.db.get_value(INVITATION, {"account": account.name, "status": InvitationStatus.QUEUED})
	run_queued_job(f"portal_onboarding:invitation:{new}")
	frappe.db.rollback()
	assert frappe.db.get_value(INVITATION, new, "status") == InvitationStatus.SENT
	(mail,) = queued_mails(new)
	assert "/portal/activate#key=" in mail["html"]


def test_a_bulk_invitation_runs_to_the_end_with_a_live_progress_bar(browser, realtime_url, worker, ward):
	family, manager, patients = ward
	context, page = signed_in_page(browser, realtime_url, *manager)
	try:
		page.wait_for_function("() => frappe.realtime.socket && frappe.realtime.socket.connected")
		open_report(page, realtime_url, family)
		page.evaluate(
			"""() => {
				window.po_progress = [];
				frappe.realtime.on("progress", (data) => window.po_progress.push(data.percent));
			}"""
		)
		# Tick every row, then Invite > Enable and Invite Selected.
		page.locator(".dt-header .dt-cell--col-0 input[type='checkbox']").first.check()
		page.locator("button", has_text="Invite").first.click()
		page.locator(".dropdown-item[data-label='Enable%20and%20Invite%20Selected']").click()
		confirm = page.locator(".modal.show", has_text="6 patients")
		confirm.wait_for()
		confirm.locator(".btn-primary", has_text="Yes").click()

		page.locator(".modal.show", has_text="Inviting patients").wait_for()
		page.screenshot(path=str(SCREENSHOTS / "onboarding-bulk-progress.png"))
		summary = page.locator(".modal.show", has_text="Invitations sent")
		summary.wait_for(timeout=240_000)
		assert "6 sent, 0 skipped, 0 failed, of 6 patients" in summary.inner_text()
		page.screenshot(path=str(SCREENSHOTS / "onboarding-bulk-done.png"))
		assert page.evaluate("() => window.po_progress.at(-1)") == 100
		summary.locator(".btn-modal-close").first.click()
		page.wait_for_function(
			"(n) => [...document.querySelectorAll('.dt-scrollable .po-status')]"
			".filter((e) => e.innerText === 'Invited').length === n",
			arg=len(patients),
		)
	finally:
		context.close()

	frappe.db.rollback()
	(batch,) = frappe.get_all(BATCH_ITEM, filters={"patient": patients[0]}, pluck="batch")
	doc = frappe.get_doc(BATCH, batch)
	assert (doc.status, doc.total, doc.sent, doc.failed) == (BatchStatus.COMPLETED, 6, 6, 0)
	assert doc.requested_by == manager[0]
	assert doc.runs >= 1 and doc.runs <= bulk_batch.PARALLEL_JOBS
	for patient in patients:
		assert self_status(patient) == AccountStatus.INVITED
		account = frappe.db.get_value(ACCOUNT, {"patient": patient, "access_type": AccessType.SELF})
		(invitation,) = frappe.get_all(INVITATION, filters={"account": account}, pluck="name")
		(mail,) = queued_mails(invitation)
		assert "/portal/activate#key=" in mail["html"]


@contextmanager
def on_day(day: date):
	"""The clock of this process (not the server's) on `day`, running, as FrappeTestCase.freeze_time."""
	zone = pytz.timezone(get_system_timezone())
	with freeze_time(zone.localize(get_datetime(day)).astimezone(pytz.utc), tick=True):
		yield


def with_parent(family: str, first_name: str, came_of_age: date, made: list[str]) -> tuple[str, str]:
	"""A patient registered as a child a year before `came_of_age`, and the parent's account staff
	invited then; both committed, the patient added to `made`."""
	with on_day(came_of_age - timedelta(days=365)):
		patient = make_eligible_patient(
			first_name=first_name, last_name=family, dob=add_years(came_of_age, -age_policy().majority_age)
		).name
		made.append(patient)
		account, _invitation = sending.invite(
			patient,
			representative={
				"first_name": "Parent",
				"last_name": family,
				"email": f"{unique('parent')}@example.com",
				"relation": "Parent",
			},
			enqueue=False,
		)
	frappe.db.commit()
	return patient, account.name


def test_the_turning_adult_filter_and_a_grown_up_invited_from_their_row(browser, base_url, ward):
	family, manager, adults = ward
	majority = age_policy().majority_age
	day = getdate(today())
	made: list[str] = []
	try:
		teen, _parent = with_parent(family, "Tess", day + timedelta(days=12), made)
		grown, parent = with_parent(family, "Gwen", day - timedelta(days=30), made)
		# What the daily age job leaves of the parent's account at the patient's majority.
		doc = frappe.get_doc(ACCOUNT, parent)
		doc.update({"status": AccountStatus.SUSPENDED, "aged_out_on": day - timedelta(days=30)})
		with acting():
			doc.save(ignore_permissions=True)
		frappe.db.commit()
		see_the_filter_and_invite_the_grown_up(
			browser, base_url, manager, family, majority, adults, teen, grown
		)

		# The invitation went to the grown-up's own account and address; the parent's stays ended.
		frappe.db.rollback()
		assert self_status(grown) == AccountStatus.INVITED
		assert frappe.db.get_value(ACCOUNT, parent, "status") == AccountStatus.SUSPENDED
		own = frappe.db.get_value(ACCOUNT, {"patient": grown, "access_type": AccessType.SELF})
		invitation = frappe.db.get_value(INVITATION, {"account": own}, ["name", "sent_to"], as_dict=True)
		assert invitation.sent_to == frappe.db.get_value("Patient", grown, "email")
		run_queued_job(f"portal_onboarding:invitation:{invitation.name}")
	finally:
		for patient in made:
			purge_patient(patient)


def see_the_filter_and_invite_the_grown_up(browser, base_url, manager, family, majority, adults, teen, grown):
	context, page = signed_in_page(browser, base_url, *manager)
	try:
		page.goto(f"{base_url}/app/query-report/{quote(REPORT)}?search={quote(family)}&turning_adult=1")
		pill(page, teen).wait_for()
		control = page.locator(".page-form .frappe-control[data-fieldname='turning_adult']")
		assert control.locator(".label-area").inner_text() == f"Turns {majority} within 30 days"
		rows = page.locator(".dt-scrollable .po-status")
		assert [rows.nth(i).get_attribute("data-patient") for i in range(rows.count())] == [teen]
		card = page.locator(".summary-item", has_text=f"Turning {majority} within 30 days")
		assert card.locator(".summary-value").inner_text() == "1"
		page.wait_for_load_state("networkidle")  # as open_report does
		page.screenshot(path=str(SCREENSHOTS / "onboarding-report-turning-adult.png"), full_page=True)

		# Without the filter: the grown-up's row says why, and its email invites them to their own account.
		control.locator("input[data-fieldname='turning_adult']").uncheck()
		pill(page, grown).wait_for()
		shown = {rows.nth(i).get_attribute("data-patient") for i in range(rows.count())}
		assert shown == {teen, grown, *adults}
		row = page.locator(".dt-scrollable .dt-row", has=page.locator(f".po-status[data-patient='{grown}']"))
		assert "Now an adult: invite them to their own account." in row.inner_text()
		assert pill(page, grown).inner_text() == AccountStatus.SUSPENDED
		card = page.locator(".summary-item", has_text="Now adults to invite")
		assert card.locator(".summary-value").inner_text() == "1"
		page.screenshot(path=str(SCREENSHOTS / "onboarding-report-now-adult.png"), full_page=True)
		email = page.locator(f".dt-scrollable .po-invite[data-patient='{grown}']")
		assert email.get_attribute("title") == "Send the invitation"
		email.click()
		page.wait_for_function(
			f"() => document.querySelector(\".po-status[data-patient='{grown}']\")?.innerText === 'Invited'"
		)
		assert "Now an adult" not in row.inner_text()
	finally:
		context.close()
