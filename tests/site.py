"""Where the bench and the test site are, for the integration and e2e tiers.

The tiers never run on a clinic's site: they use a site of their own (created by tests/bench/prepare),
or the site FRAPPE_SITE names when that site already has `allow_tests` set.
"""

import json
import os
from pathlib import Path

BENCH = Path(os.environ.get("FRAPPE_BENCH") or Path.home() / "frappe-bench")
DEFAULT_TEST_SITE = "portal-onboarding-test.localhost"


def site_name() -> str:
	"""FRAPPE_SITE when given, else the app's own test site; never the bench's current site."""
	return os.environ.get("FRAPPE_SITE") or os.environ.get("PORTAL_ONBOARDING_TEST_SITE") or DEFAULT_TEST_SITE


def allows_tests(site: str) -> bool:
	"""True when the site's own config says tests may write to it (`allow_tests`)."""
	config = BENCH / "sites" / site / "site_config.json"
	return config.exists() and json.loads(config.read_text()).get("allow_tests") in (
		True,
		1,
		"1",
		"true",
		"True",
	)


def connect() -> None:
	"""Connect frappe to the test site as Administrator; refuse a site that does not allow tests."""
	import pytest

	import frappe

	site = site_name()
	if not allows_tests(site):
		pytest.exit(f"site {site} does not have allow_tests set: refusing to write test data to it", 2)
	os.chdir(BENCH / "sites")
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")


def lived_in() -> dict:
	"""What tests/bench/clinic.py made on the test site (Marley logins, families, carers)."""
	path = BENCH / "sites" / site_name() / "portal_onboarding_fixtures.json"
	return json.loads(path.read_text())


def upgraded() -> dict:
	"""What tests/bench/old_version.py made through the earlier version before the upgrade."""
	path = BENCH / "sites" / site_name() / "portal_onboarding_upgrade.json"
	return json.loads(path.read_text())
