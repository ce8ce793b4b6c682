"""Connects the integration tier to the bench's site; tests/run installs this checkout there first."""

import os

import pytest

from tests.site import BENCH, site_name


def pytest_configure(config: pytest.Config) -> None:
	import frappe

	os.chdir(BENCH / "sites")
	frappe.init(site=site_name(), sites_path=".")
	frappe.connect()
	frappe.flags.in_test = True
	frappe.set_user("Administrator")


def pytest_unconfigure(config: pytest.Config) -> None:
	import frappe

	if getattr(frappe.local, "site", None):
		frappe.db.rollback()
		frappe.destroy()
