"""The tiers run on a site of their own and refuse any site that does not allow tests."""

import os
import subprocess
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

from tests.site import BENCH, DEFAULT_TEST_SITE, site_name

REPO = Path(__file__).resolve().parents[2]


class TestTestSite(FrappeTestCase):
	def test_the_tiers_are_connected_to_a_site_that_allows_tests(self):
		self.assertEqual(frappe.local.site, site_name())
		self.assertTrue(frappe.conf.allow_tests)
		if not os.environ.get("FRAPPE_SITE") or os.environ["FRAPPE_SITE"] == DEFAULT_TEST_SITE:
			self.assertEqual(frappe.local.site, DEFAULT_TEST_SITE)

	def test_the_test_site_is_never_the_benchs_current_site_by_default(self):
		env = {k: v for k, v in os.environ.items() if k not in ("FRAPPE_SITE", "PORTAL_ONBOARDING_TEST_SITE")}
		chosen = subprocess.run(
			["python3", "-c", "from tests.site import site_name; print(site_name())"],
			cwd=REPO,
			env=env,
			capture_output=True,
			text=True,
			check=True,
		).stdout.strip()
		self.assertEqual(chosen, DEFAULT_TEST_SITE)

	def test_prepare_refuses_a_named_site_without_allow_tests(self):
		site = "not-a-test-site.localhost"
		result = subprocess.run(
			[str(REPO / "tests" / "bench" / "prepare"), str(BENCH), str(REPO)],
			env={**os.environ, "FRAPPE_SITE": site},
			capture_output=True,
			text=True,
			timeout=120,
		)
		self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
		self.assertIn("refusing to test on it", result.stderr)
		self.assertFalse((BENCH / "sites" / site).exists())
