"""Test data builders for the integration and e2e tiers: one place, unique names, no fixtures files."""

import threading
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
	"""A saved Patient Portal Account on `patient`."""
	values = {
		"doctype": ACCOUNT,
		"patient": patient,
		"access_type": AccessType.SELF,
		"first_name": "Jane",
		"last_name": "Tester",
		"username": unique("user."),
	}
	values.update(kw)
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


def http_as(site: str, user: str, password: str, requests: list[tuple[str, str]]) -> list[Any]:
	"""Log in over HTTP and make each (method, path) request; returns the responses.

	Runs in its own thread: Frappe's WSGI app opens and tears down its own request context and
	database connection, so it only sees committed data and leaves the test's connection alone.
	"""
	results: list[Any] = []
	errors: list[BaseException] = []

	def run() -> None:
		try:
			from frappe.app import application

			client = Client(application)
			headers = {"Host": site}
			login = client.post("/api/method/login", data={"usr": user, "pwd": password}, headers=headers)
			results.append(login)
			for method, path in requests:
				results.append(client.open(path, method=method, headers=headers))
		except BaseException as e:
			errors.append(e)

	thread = threading.Thread(target=run)
	thread.start()
	thread.join(timeout=120)
	if errors:
		raise errors[0]
	return results
