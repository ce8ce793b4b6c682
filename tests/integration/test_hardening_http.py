"""Hardening scenarios that need real requests and real commits: data is committed, then purged."""

import secrets
import threading
from unittest.mock import patch

import frappe

from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	MANAGER_ROLE,
	AccountStatus,
	EventType,
	InvitationStatus,
)
from portal_onboarding.invitations import portal_access, sending
from portal_onboarding.primitives import logins
from tests.integration.committed import CommittedCase
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	add_session,
	http_as,
	http_guest,
	session_count,
	strong_password,
	unique,
)
from tests.site import site_name

API = "/api/method/portal_onboarding.api."
WRONG = {"date_of_birth": "2001-01-01", "home_zip": "00000"}


def address() -> str:
	"""An address from TEST-NET-2 for the rate limiter, so each test has budgets of its own."""
	return f"198.51.100.{secrets.randbelow(250) + 1}"


class TestDisableOverHttp(CommittedCase):
	"""6. Disabling is one transaction; sessions end only once it has committed."""

	def test_disable_ends_every_session_after_the_commit(self):
		patient = self.patient()
		_account, login = self.active_login(patient.name)
		for _ in range(3):
			add_session(login)
		manager = self.user(["System Manager", MANAGER_ROLE])
		frappe.db.commit()
		commits_inside = []
		real_retire = logins.retire_user_if_unused

		def watching_retire(user, *leaving):
			result = real_retire(user, *leaving)
			# Still inside the request's transaction: nothing of the disable may be visible elsewhere.
			commits_inside.append(outside_view(login))
			return result

		with patch.object(portal_access, "retire_user_if_unused", watching_retire):
			_login, response = http_as(
				site_name(), *manager, [("POST", f"{API}account.disable?patient={patient.name}")]
			)
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		self.assertEqual(commits_inside, [(1, 3)])  # login enabled, 3 sessions: nothing committed halfway
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("User", login, "enabled"), 0)
		self.assertEqual(session_count(login), 0)

	def test_a_failed_disable_leaves_nothing_half_done(self):
		patient = self.patient()
		own, own_login = self.active_login(patient.name)
		rep, _inv, key = self.invited(
			patient.name,
			representative={
				"first_name": "Carer",
				"email": f"{unique('c')}@example.com",
				"relation": "Carer",
			},
		)
		self.assertTrue(accept_link(key)["ok"])
		rep_login = frappe.db.get_value(ACCOUNT, rep, "user")
		add_session(own_login)
		add_session(rep_login)
		manager = self.user(["System Manager", MANAGER_ROLE])
		frappe.db.commit()
		real_retire = logins.retire_user_if_unused
		calls = []

		def failing_on_the_second_login(user, *leaving):
			calls.append(user)
			if len(calls) == 2:
				raise RuntimeError("database went away")
			return real_retire(user, *leaving)

		with patch.object(portal_access, "retire_user_if_unused", failing_on_the_second_login):
			signed_in, response = http_as(
				site_name(), *manager, [("POST", f"{API}account.disable?patient={patient.name}")]
			)
		self.assertEqual(signed_in.status_code, 200)
		self.assertEqual(response.status_code, 500)
		self.assertEqual(len(calls), 2)
		frappe.db.rollback()
		for account, login in ((own, own_login), (rep, rep_login)):
			self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), AccountStatus.ACTIVE)
			self.assertEqual(frappe.db.get_value("User", login, "enabled"), 1)
			self.assertEqual(session_count(login), 1)
		self.assertEqual(
			frappe.db.get_value("Patient", patient.name, "portal_access"), "Patient Can Access Portal"
		)
		self.assertFalse(
			frappe.db.exists(EVENT, {"patient": patient.name, "event_type": EventType.PORTAL_DISABLED})
		)


def outside_view(login: str) -> tuple[int, int]:
	"""The login's enabled flag and session count as another connection sees them right now."""
	seen: list[tuple[int, int]] = []

	def look() -> None:
		frappe.init(site=site_name(), sites_path=".")
		frappe.connect()
		try:
			seen.append((frappe.db.get_value("User", login, "enabled"), session_count(login)))
		finally:
			frappe.destroy()

	thread = threading.Thread(target=look)
	thread.start()
	thread.join(timeout=60)
	return seen[0]


class TestGuestLimits(CommittedCase):
	"""7. Per-link and per-address budgets, one budget for /api and /api/v2, attempts counted under lock."""

	def test_one_link_is_limited_wherever_it_is_tried_from(self):
		patient = self.patient()
		_account, _invitation, key = self.invited(patient.name)
		form = {"key": key, "username": "someone"}
		responses = [
			http_guest(
				site_name(), [("POST", API + "invitation.check_username", form)], remote_addr=address()
			)[0]
			for _ in range(61)
		]
		self.assertEqual([r.status_code for r in responses[:60]], [200] * 60)
		self.assertEqual(responses[60].status_code, 429)

	def test_people_on_one_clinic_address_do_not_share_a_small_budget(self):
		ip = address()
		forms = [{"key": secrets.token_urlsafe(32), **WRONG} for _ in range(30)]
		responses = http_guest(
			site_name(), [("POST", API + "invitation.verify_identity", f) for f in forms], remote_addr=ip
		)
		self.assertEqual({r.status_code for r in responses}, {200})

	def test_the_v2_path_shares_the_same_budget(self):
		form = {"key": secrets.token_urlsafe(32), **WRONG}
		paths = [
			API + "invitation.verify_identity",
			"/api/v2/method/portal_onboarding.api.invitation.verify_identity",
		]
		responses = http_guest(
			site_name(), [("POST", paths[i % 2], form) for i in range(11)], remote_addr=address()
		)
		self.assertEqual([r.status_code for r in responses[:10]], [200] * 10)
		self.assertEqual(responses[10].status_code, 429)

	def test_concurrent_wrong_answers_are_all_counted_and_stop_at_three(self):
		patient = self.patient()
		account, invitation, key = self.invited(patient.name)
		barrier = threading.Barrier(6)
		codes: list[int] = []

		def guess() -> None:
			barrier.wait(timeout=30)
			(response,) = http_guest(
				site_name(),
				[("POST", API + "invitation.verify_identity", {"key": key, **WRONG})],
				remote_addr=address(),
			)
			codes.append(response.status_code)

		threads = [threading.Thread(target=guess) for _ in range(6)]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(timeout=120)
		self.assertEqual(codes, [200] * 6)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "status"), InvitationStatus.REVOKED)
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "identity_attempts"), 3)
		failed = frappe.db.count(EVENT, {"account": account, "event_type": EventType.IDENTITY_CHECK_FAILED})
		self.assertEqual(failed, 3)


class TestPagesAndLocks(CommittedCase):
	"""10. Patient names are escaped on the portal; the patient row is always locked first."""

	def test_the_portal_escapes_patient_names(self):
		patient = self.patient()
		_account, _invitation, key = self.invited(patient.name)
		username, password = unique("pat."), strong_password()
		self.assertTrue(accept_link(key, username, password)["ok"])
		# Markup that reached the database some other way (an import, an integration) stays inert.
		frappe.db.set_value("Patient", patient.name, "patient_name", "<script>alert('pwned')</script>")
		frappe.db.commit()
		signed_in, page = http_as(site_name(), username, password, [("GET", "/portal")])
		self.assertEqual(signed_in.status_code, 200)
		body = page.get_data(as_text=True)
		self.assertEqual(page.status_code, 200)
		self.assertIn("&lt;script&gt;", body)
		self.assertNotIn("<script>alert('pwned')", body)

	def test_delivery_takes_the_patient_row_before_the_invitation(self):
		patient = self.patient()
		with JobRecorder() as jobs:
			_account, invitation = sending.invite(patient.name)
		frappe.db.commit()
		queued = jobs.jobs[0]
		# This connection holds the patient row, as an admin's invite would.
		frappe.db.get_value("Patient", patient.name, "name", for_update=True)
		job = threading.Thread(target=run_job_elsewhere, args=(queued["method"], queued["invitation"]))
		job.start()
		job.join(timeout=3)  # the job now waits for the patient row ...
		self.assertTrue(job.is_alive())
		# ... without holding the invitation row, so there is no cycle to deadlock on.
		row = frappe.db.sql(
			"select name from `tabPatient Portal Invitation` where name = %s for update nowait",
			invitation.name,
		)
		self.assertEqual(row[0][0], invitation.name)
		frappe.db.rollback()
		job.join(timeout=60)
		self.assertFalse(job.is_alive())
		self.assertEqual(frappe.db.get_value(INVITATION, invitation.name, "status"), InvitationStatus.SENT)


class TestSnapshots(CommittedCase):
	"""3 and 1. Reads made under a lock see what committed while the request waited for it."""

	def test_an_address_corrected_while_the_job_waits_is_the_one_mailed(self):
		patient = self.patient()
		with JobRecorder() as jobs:
			_account, invitation = sending.invite(patient.name)
		frappe.db.commit()
		new = f"{unique('fixed')}@example.com"
		# An admin's save holds the patient row while the delivery job starts and waits for it.
		frappe.db.set_value("Patient", patient.name, "email", new)
		job = threading.Thread(target=run_job_elsewhere, args=(jobs.jobs[0]["method"], invitation.name))
		job.start()
		job.join(timeout=3)
		self.assertTrue(job.is_alive())
		frappe.db.commit()
		job.join(timeout=60)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(INVITATION, invitation.name, "sent_to"), new)
		recipients = frappe.get_all(
			"Email Queue Recipient",
			filters={
				"parent": (
					"in",
					frappe.get_all("Email Queue", {"reference_name": invitation.name}, pluck="name"),
				)
			},
			pluck="recipient",
		)
		self.assertEqual(recipients, [new])

	def test_activation_over_http_ends_old_sessions_and_keeps_the_new_one(self):
		patient = self.patient()
		marley_login, _pw = self.user(["Patient"], email=patient.email, user_type="Website User")
		frappe.db.set_value("Patient", patient.name, "user_id", marley_login)
		old_sid = add_session(marley_login)
		_account, _invitation, key = self.invited(patient.name)
		responses = http_guest(
			site_name(),
			[
				(
					"POST",
					API + "invitation.verify_identity",
					{"key": key, "date_of_birth": "1990-05-17", "home_zip": "90210"},
				),
				(
					"POST",
					API + "invitation.accept",
					{"key": key, "username": unique("own."), "password": strong_password()},
				),
			],
			remote_addr=address(),
		)
		self.assertEqual([r.status_code for r in responses], [200, 200], responses[-1].get_data(as_text=True))
		cookies = "; ".join(responses[-1].headers.getlist("Set-Cookie"))
		new_sid = cookies.split("sid=", 1)[1].split(";", 1)[0]
		frappe.db.rollback()
		sids = frappe.db.sql("select sid from `tabSessions` where user = %s", marley_login, pluck=True)
		self.assertNotIn(old_sid, sids)
		self.assertEqual(sids, [new_sid])


def run_job_elsewhere(method: str, invitation: str) -> None:
	frappe.init(site=site_name(), sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		frappe.get_attr(method)(invitation=invitation)
		frappe.db.commit()
	finally:
		frappe.destroy()
