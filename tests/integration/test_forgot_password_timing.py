"""Forgot password does the same work, in the same time, whoever is asked for.

Inside the request there is the rate limit and one queued job, the same job for a portal login, a
staff login and a name nobody has; the lookup, every write and every mail happen in the worker. A
request that did more for a real login than for an unknown name would tell the two apart by its time.
"""

import email
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.header import decode_header, make_header
from typing import Any
from unittest.mock import patch

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

import frappe

from portal_onboarding.accounts import self_reset
from portal_onboarding.api import password as password_api
from portal_onboarding.constants import ACCOUNT, EVENT, PASSWORD_RESET, EventType
from tests.integration.committed import CommittedCase
from tests.integration.factories import JobRecorder, http_guest, make_user, run_after_commit, unique
from tests.integration.test_account_management import AccountCase, active_account
from tests.integration.test_guest_endpoints import documentation_ip
from tests.site import site_name

JOB = "portal_onboarding.jobs.answer_forgot_password"
FRAPPE_METHOD = "frappe.core.doctype.user.user.reset_password"
# Each endpoint as its request names it, and the form field it reads.
PORTAL_PAGE = ("portal_onboarding.api.password.request_reset", "identifier")
FRAPPE_PAGE = (FRAPPE_METHOD, "user")
ENDPOINTS = {PORTAL_PAGE: password_api.request_reset, FRAPPE_PAGE: password_api.frappe_reset_password}
# Rows a forgot-password request may write, and only in the worker.
TABLES = ("Email Queue", PASSWORD_RESET, EVENT)


@dataclass
class Asked:
	"""What one request answered and did before it returned, and the jobs it left for a worker."""

	answer: Any
	messages: list[str]
	writes: int
	rows: dict[str, int]
	jobs: JobRecorder

	def inside(self) -> dict[str, Any]:
		return {"writes": self.writes, **self.rows, "jobs": self.jobs.methods()}


def row_counts() -> dict[str, int]:
	return {table: frappe.db.count(table) for table in TABLES}


def mail_names() -> set[str]:
	return set(frappe.get_all("Email Queue", pluck="name"))


def mails_since(before: set[str]) -> list[tuple[list[str], str]]:
	"""(recipients, subject) of each mail queued or sent since `before`, oldest first."""
	mails = []
	for row in frappe.get_all("Email Queue", fields=["name", "message"], order_by="creation asc"):
		if row.name in before:
			continue
		subject = str(make_header(decode_header(email.message_from_string(row.message)["Subject"])))
		recipients = frappe.get_all("Email Queue Recipient", filters={"parent": row.name}, pluck="recipient")
		mails.append((sorted(recipients), subject))
	return mails


@contextmanager
def local_values(**values: Any) -> Iterator[None]:
	"""Set attributes of `frappe.local` and put the earlier values back. (`patch.object` cannot: it
	sees no attribute of a werkzeug Local in its `__dict__`, so it deletes them on the way out, and
	Frappe's `request_ip`, which `frappe.init` sets, would be gone for every later test.)"""
	earlier = {name: getattr(frappe.local, name, None) for name in values}
	for name, value in values.items():
		setattr(frappe.local, name, value)
	try:
		yield
	finally:
		for name, value in earlier.items():
			setattr(frappe.local, name, value)


def as_guest_request(endpoint: tuple[str, str], typed: str, ip: str) -> Asked:
	"""Call a guest endpoint as a POST from `ip` does, and note what it did before answering."""
	method, field = endpoint
	environ = EnvironBuilder(
		method="POST", path=f"/api/method/{method}", data={field: typed}, environ_base={"REMOTE_ADDR": ip}
	).get_environ()
	request = Request(environ)
	frappe.set_user("Guest")
	frappe.local.message_log = []
	try:
		with local_values(request=request, request_ip=ip), JobRecorder() as jobs:
			writes, rows = frappe.db.transaction_writes, row_counts()
			answer = ENDPOINTS[endpoint](**{field: typed})
			writes = frappe.db.transaction_writes - writes
			after = row_counts()
		messages = [str(m) for m in frappe.local.message_log]
	finally:
		frappe.local.message_log = []
		frappe.set_user("Administrator")
	return Asked(answer, messages, writes, {t: after[t] - rows[t] for t in TABLES}, jobs)


def run_as_worker(jobs: JobRecorder) -> None:
	"""Run the queued jobs as a worker would: as the user who asked (Guest), with no request, then
	what waits for the job's commit. The commits themselves (the worker's, and the one inside
	Frappe's mail sent at once) are left out, so the test's data stays uncommitted."""
	frappe.set_user("Guest")
	try:
		with JobRecorder() as later, patch.object(frappe.db, "commit"):
			jobs.run()
		run_after_commit()
		assert later.jobs == [], later.jobs
	finally:
		frappe.set_user("Administrator")


def forget_budgets() -> None:
	frappe.cache.delete_keys("portal_onboarding:rl:request_reset:")
	frappe.cache.delete_keys("portal_onboarding:rl:self_reset:")


class TestSameWorkWhoeverIsAskedFor(AccountCase):
	def setUp(self):
		super().setUp()
		# Each test's logins go with it: Frappe refuses more than 60 new users an hour on a site.
		frappe.db.savepoint("forgot_password_timing")
		self.addCleanup(frappe.db.rollback, save_point="forgot_password_timing")
		self.addCleanup(forget_budgets)
		self.ip = documentation_ip()
		_patient, self.account, self.login = active_account()
		self.username, self.contact = frappe.db.get_value(
			ACCOUNT, self.account, ["username", "contact_email"]
		)
		self.staff, _password = make_user(["System Manager"])
		self.assertEqual(frappe.db.get_value("User", self.staff, "user_type"), "System User")
		# Made the same way and never asked for: they must get nothing.
		_patient, self.other_account, other_login = active_account()
		self.other_contact = frappe.db.get_value(ACCOUNT, self.other_account, "contact_email")
		self.other_staff, _password = make_user(["System Manager"])
		self.bystanders = [self.other_contact, self.other_staff, other_login]
		self.unknown = f"{unique('nobody')}@example.com"

	def ask(self, endpoint: tuple[str, str], typed: str) -> Asked:
		"""Ask once; inside the request nothing is written, nothing mailed, one job queued."""
		asked = as_guest_request(endpoint, typed, self.ip)
		self.assertEqual(
			asked.inside(),
			{"writes": 0, **dict.fromkeys(TABLES, 0), "jobs": [JOB]},
			f"{endpoint[0]} did more than queue one job inside the request",
		)
		return asked

	def served(self, asked: Asked) -> list[tuple[list[str], str]]:
		"""Run the request's job; the mails it sent. Bystanders get nothing, whoever was asked for."""
		before = mail_names()
		run_as_worker(asked.jobs)
		mails = mails_since(before)
		for recipients, _subject in mails:
			self.assertFalse(set(recipients) & set(self.bystanders), mails)
		self.assertEqual(frappe.db.count(PASSWORD_RESET, {"account": self.other_account}), 0)
		self.assertFalse(frappe.db.get_value("User", self.other_staff, "reset_password_key"))
		return mails

	def assert_our_link(self, mails: list[tuple[list[str], str]]) -> None:
		((recipients, subject),) = mails
		self.assertEqual(recipients, [self.contact])
		self.assertIn("Reset your", subject)
		self.assertFalse(frappe.db.get_value("User", self.staff, "reset_password_key"))

	def test_a_portal_login_by_username(self):
		for endpoint in (PORTAL_PAGE, FRAPPE_PAGE):
			asked = self.ask(endpoint, f" {self.username.upper()} ")
			self.assert_our_link(self.served(asked))
		self.assertEqual(frappe.db.count(PASSWORD_RESET, {"account": self.account}), 2)
		# The audit still says where the request came from, though the worker had no request.
		requested = frappe.get_all(
			EVENT,
			filters={"account": self.account, "event_type": EventType.PASSWORD_RESET_REQUESTED},
			pluck="details",
		)
		self.assertEqual(len(requested), 2)
		for details in requested:
			self.assertIn(self.ip, details)

	def test_a_portal_login_by_contact_email(self):
		for endpoint in (PORTAL_PAGE, FRAPPE_PAGE):
			asked = self.ask(endpoint, self.contact.upper())
			self.assert_our_link(self.served(asked))
		self.assertEqual(frappe.db.count(PASSWORD_RESET, {"account": self.account}), 2)

	def test_a_staff_login(self):
		# The portal's own page resets portal logins only, as its answer says.
		self.assertEqual(self.served(self.ask(PORTAL_PAGE, self.staff)), [])
		self.assertFalse(frappe.db.get_value("User", self.staff, "reset_password_key"))
		# Frappe's endpoint still gets staff Frappe's own reset mail, sent by the worker.
		((recipients, subject),) = self.served(self.ask(FRAPPE_PAGE, self.staff))
		self.assertEqual((recipients, subject), ([self.staff], "Password Reset"))
		self.assertTrue(frappe.db.get_value("User", self.staff, "reset_password_key"))
		self.assertEqual(frappe.db.count(PASSWORD_RESET, {"account": self.account}), 0)

	def test_an_unknown_name(self):
		for endpoint in (PORTAL_PAGE, FRAPPE_PAGE):
			for typed in (self.unknown, unique("nobody.")):
				rows = row_counts()
				self.assertEqual(self.served(self.ask(endpoint, typed)), [])
				self.assertEqual(row_counts(), rows, "an unknown name left rows behind")

	def test_every_case_queues_the_same_job_and_gets_the_same_answer(self):
		for endpoint in (PORTAL_PAGE, FRAPPE_PAGE):
			asked = [
				self.ask(endpoint, typed) for typed in (self.username, self.contact, self.staff, self.unknown)
			]
			answers = {frappe.as_json([a.answer, a.messages]) for a in asked}
			self.assertEqual(len(answers), 1, answers)
			jobs = [a.jobs.jobs[0] for a in asked]
			self.assertEqual(
				len({(job["method"], job["queue"], tuple(sorted(job))) for job in jobs}), 1, jobs
			)
			for job, typed in zip(jobs, (self.username, self.contact, self.staff, self.unknown), strict=True):
				self.assertIs(job["enqueue_after_commit"], True)
				self.assertIs(job["deduplicate"], True)
				self.assertNotIn(typed.lower(), job["job_id"].lower(), "the job id names who was asked for")
			self.assertEqual(len({job["job_id"] for job in jobs}), 4)
		# Keyed on the identifier as it is compared: case and spaces make no second job.
		(first,), (second,) = (
			self.ask(PORTAL_PAGE, typed).jobs.jobs for typed in (self.unknown, f"  {self.unknown.upper()} ")
		)
		self.assertEqual(first["job_id"], second["job_id"])

	def test_a_job_run_twice_mails_once(self):
		asked = self.ask(PORTAL_PAGE, self.username)
		(job,) = asked.jobs.jobs
		again = JobRecorder()
		again.jobs.append(dict(job))
		self.assert_our_link(self.served(asked))
		self.assertEqual(self.served(Asked(None, [], 0, {}, again)), [])
		self.assertEqual(frappe.db.count(PASSWORD_RESET, {"account": self.account}), 1)

	def test_a_failing_job_logs_without_the_identifier_and_may_run_again(self):
		asked = self.ask(FRAPPE_PAGE, self.contact)
		(job,) = asked.jobs.jobs
		again = JobRecorder()
		again.jobs.append(dict(job))
		first_name = frappe.db.get_value(ACCOUNT, self.account, "first_name")
		marker = unique("failure.")

		def broken(identifier: str, client_ip: str | None = None) -> int:
			frappe.db.set_value(ACCOUNT, self.account, "first_name", "Half done", update_modified=False)
			raise frappe.ValidationError(f"Could not mail {identifier} ({marker})")

		with patch.object(self_reset, "request", broken):
			self.assertEqual(self.served(asked), [])
		self.assertEqual(frappe.db.get_value(ACCOUNT, self.account, "first_name"), first_name, "kept half")
		# Error Log is not transactional (MyISAM): the row outlives the test unless deleted.
		(logged,) = frappe.get_all(
			"Error Log", filters={"error": ("like", f"%{marker}%")}, fields=["name", "method", "error"]
		)
		self.addCleanup(frappe.db.delete, "Error Log", {"name": logged.name})
		for text in (logged.method, logged.error):
			self.assertNotIn(self.contact.lower(), text.lower())
		self.assertIn("Could not mail [...]", logged.error)
		# Nothing was done, so the same job run again does it.
		self.assert_our_link(self.served(Asked(None, [], 0, {}, again)))


class TestSameWorkOverHttp(CommittedCase):
	def setUp(self):
		super().setUp()
		self.addCleanup(forget_budgets)

	def test_frappes_endpoint_commits_nothing_but_queues_one_job_for_each(self):
		patient = self.patient()
		account, login = self.active_login(patient.name)
		self.users.append(login)
		username, contact = frappe.db.get_value(ACCOUNT, account, ["username", "contact_email"])
		staff, _password = self.user(["System Manager"])
		frappe.db.commit()
		mails = mail_names()
		typed = [username, contact, staff, f"{unique('nobody')}@example.com"]
		with JobRecorder() as jobs:
			responses = http_guest(
				site_name(),
				[("POST", f"/api/method/{FRAPPE_METHOD}", {"user": value}) for value in typed],
				remote_addr=documentation_ip(),
			)
		self.assertEqual([r.status_code for r in responses], [200] * 4)
		self.assertEqual(len({frappe.as_json(r.get_json()) for r in responses}), 1)
		self.assertEqual(jobs.methods(), [JOB] * 4)
		frappe.db.rollback()
		# Other mail the site sends meanwhile is committed too: only these people's mail counts.
		people = {login, contact, staff, typed[-1]}

		def mailed() -> list[list[str]]:
			return sorted(
				recipients for recipients, _subject in mails_since(mails) if people & set(recipients)
			)

		self.assertEqual(mailed(), [], "a request mailed someone itself")
		self.assertEqual(frappe.db.count(PASSWORD_RESET, {"account": account}), 0)
		self.assertFalse(
			frappe.db.exists(EVENT, {"account": account, "event_type": EventType.PASSWORD_RESET_REQUESTED})
		)
		self.assertFalse(frappe.db.get_value("User", staff, "reset_password_key"))

		run_as_worker(jobs)
		self.assertEqual(mailed(), sorted([[contact], [contact], [staff]]))
		self.assertEqual(frappe.db.count(PASSWORD_RESET, {"account": account}), 2)
		self.assertTrue(frappe.db.get_value("User", staff, "reset_password_key"))
