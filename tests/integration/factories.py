"""Test data builders for the integration and e2e tiers: one place, unique names, no fixtures files."""

import threading
import time
from collections.abc import Callable
from typing import Any

from werkzeug.test import Client

import frappe
from frappe.utils import random_string

from portal_onboarding.constants import ACCOUNT, PATIENT, AccessType


def unique(prefix: str) -> str:
	return f"{prefix}{random_string(8).lower()}"


def ensure_gender(name: str = "Female") -> str:
	if not frappe.db.exists("Gender", name):
		frappe.get_doc({"doctype": "Gender", "gender": name}).insert(ignore_permissions=True)
	return name


def make_patient(**kw: Any) -> Any:
	"""A saved Patient; keyword arguments override the defaults."""
	values = {
		"doctype": PATIENT,
		"first_name": unique("Pat"),
		"last_name": "Tester",
		"sex": ensure_gender(),
		"dob": "1990-05-17",
	}
	values.update(kw)
	return frappe.get_doc(values).insert(ignore_permissions=True)


def make_account(patient: str, **kw: Any) -> Any:
	"""A saved Patient Portal Account on `patient`, made as the app's own actions make them."""
	from portal_onboarding.security.actions import acting

	values = {
		"doctype": ACCOUNT,
		"patient": patient,
		"access_type": AccessType.SELF,
		"first_name": "Jane",
		"last_name": "Tester",
		"username": unique("user."),
	}
	values.update(kw)
	with acting():
		return frappe.get_doc(values).insert()


def strong_password() -> str:
	return f"Pw-{random_string(20)}-9x!"


def make_user(roles: list[str], **kw: Any) -> tuple[str, str]:
	"""A saved, enabled User with the given roles; returns (email, password)."""
	password = strong_password()
	email = kw.pop("email", None) or f"{unique('user')}@example.com"
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": kw.pop("first_name", "Test"),
			"send_welcome_email": 0,
			"new_password": password,
			**kw,
		}
	)
	user.append_roles(*roles)
	user.flags.ignore_password_policy = True
	user.insert(ignore_permissions=True)
	return email, password


def in_own_thread(work: Callable[[], list[Any]]) -> list[Any]:
	"""Run HTTP requests in a thread of their own.

	Frappe's WSGI app opens and tears down its own request context and database connection, so it
	only sees committed data and leaves the test's connection alone.
	"""
	results: list[Any] = []
	errors: list[BaseException] = []

	def run() -> None:
		try:
			results.extend(work())
		except BaseException as e:
			errors.append(e)

	thread = threading.Thread(target=run)
	thread.start()
	thread.join(timeout=120)
	if errors:
		raise errors[0]
	return results


def http_as(site: str, user: str, password: str, requests: list[tuple[str, str]]) -> list[Any]:
	"""Log in over HTTP and make each (method, path) request; returns the login and each response."""

	def work() -> list[Any]:
		from frappe.app import application

		client = Client(application)
		headers = {"Host": site}
		responses = [client.post("/api/method/login", data={"usr": user, "pwd": password}, headers=headers)]
		responses += [client.open(path, method=method, headers=headers) for method, path in requests]
		return responses

	return in_own_thread(work)


def make_address(patient: str, pincode: str = "90210", primary: int = 1) -> Any:
	"""A saved Address linked to the patient."""
	address = frappe.get_doc(
		{
			"doctype": "Address",
			"address_title": patient,
			"address_type": "Billing",
			"address_line1": "1 Test Street",
			"city": "Testville",
			"country": frappe.db.get_value("Country", {}, "name") or "United States",
			"pincode": pincode,
			"is_primary_address": primary,
			"links": [{"link_doctype": "Patient", "link_name": patient}],
		}
	)
	return address.insert(ignore_permissions=True)


def make_eligible_patient(**kw: Any) -> Any:
	"""A patient with an email, a date of birth and a primary address with a ZIP code."""
	kw.setdefault("email", f"{unique('pat')}@example.com")
	pincode = kw.pop("pincode", "90210")
	patient = make_patient(**kw)
	make_address(patient.name, pincode)
	return patient


class JobRecorder:
	"""Stands in for frappe.enqueue inside a `with` block: records each job, then runs them as a
	worker would (after the commit that tests never make)."""

	def __init__(self) -> None:
		self.jobs: list[dict[str, Any]] = []
		self._patch = None

	def __enter__(self) -> "JobRecorder":
		from unittest.mock import patch

		self._patch = patch("frappe.enqueue", self)
		self._patch.start()
		return self

	def __exit__(self, *exc: Any) -> None:
		self._patch.stop()

	def __call__(self, method: str, **kwargs: Any) -> None:
		self.jobs.append({"method": method, **kwargs})

	def methods(self) -> list[str]:
		return [job["method"] for job in self.jobs]

	def run(self) -> None:
		control = {
			"queue",
			"timeout",
			"enqueue_after_commit",
			"job_id",
			"deduplicate",
			"now",
			"is_async",
			"at_front",
		}
		while self.jobs:
			job = self.jobs.pop(0)
			assert job.get("enqueue_after_commit") is True, job
			frappe.get_attr(job["method"])(**{k: v for k, v in job.items() if k not in control | {"method"}})


def http_guest(
	site: str, requests: list[tuple[str, str, dict | None]], remote_addr: str = "127.0.0.1"
) -> list[Any]:
	"""Make each (method, path, form) request as a guest, from `remote_addr`."""

	def work() -> list[Any]:
		from frappe.app import application

		client = Client(application)
		return [
			client.open(
				path,
				method=method,
				data=data,
				# Frappe takes the client address from X-Forwarded-For (set by the clinic's proxy).
				headers={"Host": site, "X-Forwarded-For": remote_addr},
				environ_overrides={"REMOTE_ADDR": remote_addr},
			)
			for method, path, data in requests
		]

	return in_own_thread(work)


def queued_mails(invitation: str, doctype: str = "Patient Portal Invitation") -> list[dict[str, Any]]:
	"""Mail in Email Queue for a document (an invitation by default): recipients, subject, HTML body."""
	import email
	from email.header import decode_header, make_header

	mails = []
	for row in frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": doctype, "reference_name": invitation},
		fields=["name", "message"],
		order_by="creation asc",
	):
		parsed = email.message_from_string(row.message)
		html = ""
		for part in parsed.walk():
			if part.get_content_type() == "text/html":
				html += part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
		recipients = frappe.get_all("Email Queue Recipient", filters={"parent": row.name}, pluck="recipient")
		subject = str(make_header(decode_header(parsed["Subject"])))
		mails.append({"recipients": recipients, "subject": subject, "html": html})
	return mails


def activation_key(invitation: str) -> str:
	"""The raw token, read back from the invitation email as the person would."""
	import re

	html = queued_mails(invitation)[-1]["html"]
	match = re.search(r"/portal/activate#key=([A-Za-z0-9_\-]+)", html)
	assert match, html
	return match.group(1)


def ensure_outgoing_email_account() -> str:
	"""A default outgoing Email Account, as every clinic site has; mail stays in Email Queue here."""
	name = frappe.db.get_value("Email Account", {"default_outgoing": 1, "enable_outgoing": 1})
	if name:
		return name
	account = frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": "Portal Onboarding Tests",
			"email_id": "clinic@example.com",
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"smtp_port": 1025,
			"no_smtp_authentication": 1,
		}
	)
	account.flags.ignore_validate = True
	account.insert(ignore_permissions=True)
	frappe.local.outgoing_email_account = {}
	return account.name


def confirm_identity(key: str, dob: str = "1990-05-17", zip_code: str = "90210") -> dict:
	"""Answer the activation page's identity check for this link, as the person would."""
	from portal_onboarding.api import invitation as invitation_api

	return invitation_api.verify_identity(key, dob, zip_code)


def accept_link(
	key: str,
	username: str | None = None,
	password: str | None = None,
	dob: str | None = "1990-05-17",
	zip_code: str = "90210",
	existing_login: int = 0,
) -> dict:
	"""Pass the identity check (unless `dob` is None) and accept the link; the sign-in is stubbed."""
	from unittest.mock import patch

	from portal_onboarding.api import invitation as invitation_api

	if dob is not None:
		confirm_identity(key, dob, zip_code)
	with patch.object(frappe.local, "login_manager", create=True):
		return invitation_api.accept(
			key,
			username or unique("pat."),
			password or strong_password(),
			existing_login=existing_login,
		)


def purge_patient(patient: str) -> None:
	"""Remove a committed test patient with its accounts, links, events and portal logins; commits."""
	from portal_onboarding.constants import EVENT, INVITATION

	frappe.db.rollback()
	frappe.set_user("Administrator")
	users = set()
	for account in frappe.get_all(ACCOUNT, filters={"patient": patient}, fields=["name", "user"]):
		frappe.db.delete(INVITATION, {"account": account.name})
		frappe.db.delete("Patient Portal Password Reset", {"account": account.name})
		frappe.db.delete(ACCOUNT, {"name": account.name})
		frappe.db.delete("Patient Portal Section", {"parent": account.name})
		if account.user:
			users.add(account.user)
	frappe.db.delete(EVENT, {"patient": patient})
	for address in frappe.get_all(
		"Dynamic Link",
		filters={"link_doctype": PATIENT, "link_name": patient, "parenttype": "Address"},
		pluck="parent",
	):
		frappe.delete_doc("Address", address, force=True, ignore_permissions=True)
	if frappe.db.exists(PATIENT, patient):
		frappe.delete_doc(PATIENT, patient, force=True, ignore_permissions=True)
	for user in users:
		if frappe.db.exists("User", user) and not frappe.db.exists(ACCOUNT, {"user": user}):
			frappe.delete_doc("User", user, force=True, ignore_permissions=True)
	frappe.db.commit()


def delete_user(email: str, attempts: int = 3) -> None:
	"""Delete a committed user and commit; retried, because deleting a user rewrites every Contact
	row's link to it, which can deadlock with Contacts the running site is writing at that moment."""
	for attempt in range(attempts):
		frappe.db.rollback()
		try:
			frappe.delete_doc("User", email, force=True, ignore_permissions=True)
			frappe.db.commit()
			return
		except frappe.QueryDeadlockError:
			if attempt == attempts - 1:
				raise
			time.sleep(1)


def add_session(user: str) -> str:
	"""A signed-in session of `user`, as Frappe stores it; returns its sid."""
	sid = unique("sid")
	frappe.db.sql(
		"insert into `tabSessions` (user, sid, sessiondata, lastupdate, status)"
		" values (%s, %s, '{}', now(), 'Active')",
		(user, sid),
	)
	return sid


def session_count(user: str) -> int:
	return frappe.db.sql("select count(*) from `tabSessions` where user = %s", user)[0][0]


def run_after_commit() -> None:
	"""Run what the transaction left for after its commit, without committing the test's data."""
	from unittest.mock import patch

	with patch.object(frappe.db, "commit"):
		frappe.db.after_commit.run()


INTAKE_DOCTYPE = "Portal Test Intake"
INTAKE_ROUTE = "portal-test-intake"


def ensure_intake_form() -> str:
	"""A small patient-linked doctype and its published, login-required Web Form, as a clinic would
	make for intake; returns the Web Form's name. Made once per site and committed."""
	if not frappe.db.exists("DocType", INTAKE_DOCTYPE):
		frappe.get_doc(
			{
				"doctype": "DocType",
				"name": INTAKE_DOCTYPE,
				"module": "Custom",
				"custom": 1,
				"autoname": "hash",
				"fields": [
					{"fieldname": "patient", "fieldtype": "Link", "options": "Patient", "label": "Patient"},
					{"fieldname": "reason_for_visit", "fieldtype": "Small Text", "label": "Reason for Visit"},
					{"fieldname": "allergies", "fieldtype": "Data", "label": "Allergies"},
				],
				"permissions": [{"role": "System Manager", "read": 1, "write": 1, "create": 1}],
			}
		).insert(ignore_permissions=True)
	name = frappe.db.get_value("Web Form", {"route": INTAKE_ROUTE})
	if not name:
		name = (
			frappe.get_doc(
				{
					"doctype": "Web Form",
					"title": "Portal Test Intake",
					"route": INTAKE_ROUTE,
					"doc_type": INTAKE_DOCTYPE,
					"module": "Custom",
					"is_standard": 0,
					"published": 1,
					"login_required": 1,
					"web_form_fields": [
						{
							"fieldname": "reason_for_visit",
							"fieldtype": "Small Text",
							"label": "Reason for Visit",
						},
						{"fieldname": "allergies", "fieldtype": "Data", "label": "Allergies"},
					],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	frappe.db.commit()
	return name
