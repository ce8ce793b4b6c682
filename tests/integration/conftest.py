"""Connects the integration tier to the test site; tests/run prepares it with this checkout first."""

import pytest

from tests.site import connect


def pytest_configure(config: pytest.Config) -> None:
	import frappe

	connect()
	frappe.flags.in_test = True


def pytest_unconfigure(config: pytest.Config) -> None:
	import frappe

	if getattr(frappe.local, "site", None):
		frappe.db.rollback()
		frappe.destroy()
