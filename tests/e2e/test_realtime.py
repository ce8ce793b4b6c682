"""The live chain a bulk invitation's progress bar rides on: RQ worker -> Redis -> Frappe's socket.io
server -> Desk in Chromium."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import frappe

from portal_onboarding.constants import (
	ACCOUNT,
	INVITATION,
	MANAGER_ROLE,
	PATIENT,
	PORTAL_STATUS_FIELD,
	AccountStatus,
	InvitationStatus,
)
from portal_onboarding.invitations import sending
from tests.e2e.background import listening_addresses, wait_for_job
from tests.e2e.desk import signed_in_page
from tests.integration.factories import delete_user, make_eligible_patient, make_user, purge_patient, unique

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def manager():
	"""A committed portal admin with a random password, removed afterwards."""
	email, password = make_user(["System Manager", MANAGER_ROLE])
	frappe.db.commit()
	yield email, password
	frappe.set_user("Administrator")
	delete_user(email)


@pytest.fixture
def desk(browser, realtime_url, manager):
	"""The manager's Desk, opened on the realtime front, once its socket.io connection is up."""
	context, page = signed_in_page(browser, realtime_url, *manager)
	page.wait_for_function("() => frappe.realtime.socket && frappe.realtime.socket.connected")
	yield page
	context.close()


@contextmanager
def as_user(user: str) -> Iterator[None]:
	"""Act as a Desk request of `user` would: progress goes to their room, jobs run as them."""
	frappe.set_user(user)
	try:
		yield
	finally:
		frappe.set_user("Administrator")


def test_realtime_server_listens_on_loopback_only(realtime_url):
	assert listening_addresses(urlsplit(realtime_url).port) == {"127.0.0.1"}


def test_desk_hears_events_published_for_its_user(desk, manager):
	desk.evaluate(
		"""() => {
			window.heard = [];
			frappe.realtime.on("portal_onboarding_e2e", (message) => window.heard.push(message));
		}"""
	)
	frappe.publish_realtime("portal_onboarding_e2e", {"step": 1}, user=manager[0])
	desk.wait_for_function("() => window.heard.length === 1")
	assert desk.evaluate("() => window.heard") == [{"step": 1}]

	title = unique("Sending invitations ")
	with as_user(manager[0]):
		frappe.publish_progress(40, title=title, description="4 of 10")
	progress = desk.locator(".modal.show", has_text=title)
	progress.wait_for()
	assert progress.locator(".description").inner_text() == "4 of 10"
	desk.wait_for_function("() => frappe.cur_progress && frappe.cur_progress.percent === 40")


def test_a_job_on_the_long_queue_moves_the_progress_bar_in_desk(desk, manager, worker):
	title = unique("Sending invitations ")
	with as_user(manager[0]):
		job = frappe.enqueue(
			"frappe.publish_progress", queue="long", percent=75, title=title, description="3 of 4"
		)
	assert wait_for_job(job) == "finished"
	progress = desk.locator(".modal.show", has_text=title)
	progress.wait_for()
	desk.wait_for_function("() => frappe.cur_progress && frappe.cur_progress.percent === 75")


def test_the_worker_runs_this_checkout(worker):
	job = frappe.enqueue("frappe.get_app_path", queue="long", app_name="portal_onboarding")
	assert wait_for_job(job) == "finished"
	assert Path(job.return_value()).resolve() == REPO / "portal_onboarding"


@pytest.fixture
def overdue_invitation():
	"""A committed patient whose sent invitation expired an hour ago; purged afterwards."""
	patient = make_eligible_patient()
	_account, invitation = sending.invite(patient.name, enqueue=False)
	frappe.db.set_value(
		INVITATION,
		invitation.name,
		{"status": InvitationStatus.SENT, "expires_on": frappe.utils.add_to_date(None, hours=-1)},
	)
	frappe.db.commit()
	yield patient.name, invitation.name
	purge_patient(patient.name)


def test_the_worker_runs_the_hourly_expiry_job(worker, overdue_invitation):
	patient, invitation = overdue_invitation
	job = frappe.enqueue("portal_onboarding.jobs.expire_invitations", queue="long")
	assert wait_for_job(job) == "finished"
	frappe.db.rollback()
	assert frappe.db.get_value(INVITATION, invitation, "status") == InvitationStatus.EXPIRED
	account = frappe.db.get_value(INVITATION, invitation, "account")
	assert frappe.db.get_value(ACCOUNT, account, "status") == AccountStatus.INVITE_EXPIRED
	assert frappe.db.get_value(PATIENT, patient, PORTAL_STATUS_FIELD) == AccountStatus.INVITE_EXPIRED
