"""Runs last in the tier (file order): it uninstalls the app and installs it again."""

import subprocess
import sys
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	MANAGER_ROLE,
	PATIENT,
	SECTION,
	SETTINGS,
)
from portal_onboarding.core.medical_records import DEFAULT_RELEASED
from portal_onboarding.core.upkeep import DEFAULT_SECTIONS, TemplateState
from portal_onboarding.reporting import search
from portal_onboarding.settings import medical_record_types
from portal_onboarding.setup import templates
from portal_onboarding.setup.install import CUSTOM_FIELDS
from portal_onboarding.setup.marley import MARLEY_MENU_ROUTES, OUR_MENU_ROUTE, REGISTRATION_WEB_FORM
from portal_onboarding.setup.upkeep import configured_sections
from tests.integration.factories import accept_link, ensure_outgoing_email_account, make_eligible_patient
from tests.integration.test_invitation_flow import invite_and_send
from tests.integration.test_lived_in_site import assert_marley_logins_granted
from tests.site import lived_in, site_name

FIELDNAMES = [field["fieldname"] for field in CUSTOM_FIELDS[PATIENT]]


def marley_portal() -> tuple[dict[str, int], int, bool]:
	"""Marley's menu items (route: enabled), its registration form's published flag, and our item."""
	menu = frappe.get_all(
		"Portal Menu Item", filters={"parent": "Portal Settings"}, fields=["route", "enabled"]
	)
	return (
		{row.route: row.enabled for row in menu if row.route in MARLEY_MENU_ROUTES},
		frappe.db.get_value("Web Form", REGISTRATION_WEB_FORM, "published"),
		any(row.route == OUR_MENU_ROUTE for row in menu),
	)


def frappe_cli(*args: str) -> subprocess.CompletedProcess:
	return subprocess.run(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", site_name(), *args],
		cwd=Path.cwd(),
		capture_output=True,
		text=True,
		timeout=900,
	)


class TestUninstallReinstall(FrappeTestCase):
	def assert_installed(self):
		frappe.clear_cache()
		self.assertIn("portal_onboarding", frappe.get_installed_apps())
		for doctype in (SETTINGS, ACCOUNT, INVITATION, EVENT, SECTION):
			self.assertTrue(frappe.db.exists("DocType", doctype), doctype)
		for fieldname in FIELDNAMES:
			self.assertTrue(frappe.db.has_column(PATIENT, fieldname), fieldname)
			self.assertTrue(frappe.get_meta(PATIENT).has_field(fieldname), fieldname)
		self.assertTrue(frappe.db.exists("Role", MANAGER_ROLE))
		self.assertEqual(frappe.get_meta(PATIENT).get_field("invite_user").default, "0")
		self.assertTrue(frappe.db.exists("Email Template", "Patient Portal Invitation"))
		self.assertEqual(marley_portal(), ({route: 0 for route in MARLEY_MENU_ROUTES}, 0, True))
		# The report's search index, filled for every patient the site already had.
		self.assertTrue(search.exists())
		unindexed = frappe.db.sql(
			f"""select count(*) from `tabPatient` p
			where not exists (select 1 from `{search.TABLE}` w where w.patient = p.name)"""
		)[0][0]
		self.assertEqual(unindexed, 0)

	def test_uninstall_leaves_nothing_and_reinstall_works(self):
		frappe.db.commit()
		uninstall = frappe_cli("uninstall-app", "portal_onboarding", "--yes", "--no-backup")
		self.assertEqual(uninstall.returncode, 0, uninstall.stdout + uninstall.stderr)
		frappe.db.rollback()
		frappe.clear_cache()

		self.assertNotIn("portal_onboarding", frappe.get_installed_apps())
		for doctype in (SETTINGS, ACCOUNT, INVITATION, EVENT, SECTION):
			self.assertFalse(frappe.db.exists("DocType", doctype), doctype)
		self.assertFalse(frappe.db.table_exists(ACCOUNT))
		for fieldname in FIELDNAMES:
			self.assertFalse(frappe.db.exists("Custom Field", {"dt": PATIENT, "fieldname": fieldname}))
			self.assertFalse(frappe.db.has_column(PATIENT, fieldname), fieldname)
			self.assertFalse(frappe.get_meta(PATIENT).has_field(fieldname), fieldname)
		self.assertFalse(frappe.db.exists("Role", MANAGER_ROLE))
		self.assertFalse(frappe.db.exists("Module Def", "Portal Onboarding"))
		self.assertFalse(
			frappe.db.exists("Property Setter", {"doc_type": PATIENT, "field_name": "invite_user"})
		)
		self.assertEqual(frappe.get_meta(PATIENT).get_field("invite_user").default, "1")
		self.assertFalse(frappe.get_meta(PATIENT).get_field("invite_user").hidden)
		# Marley's portal as it was: its menu items on, its registration form published, ours gone.
		self.assertEqual(marley_portal(), ({route: 1 for route in MARLEY_MENU_ROUTES}, 1, False))
		self.assertFalse(search.exists())

		install = frappe_cli("install-app", "portal_onboarding")
		self.assertEqual(install.returncode, 0, install.stdout + install.stderr)
		self.assertNotIn("Traceback", install.stdout + install.stderr)
		frappe.db.rollback()
		self.assert_installed()
		self.assert_nothing_inert_on_a_fresh_install()

	def assert_nothing_inert_on_a_fresh_install(self):
		"""A fresh install on a lived-in site: defaults that show something, Marley's logins granted."""
		self.assertEqual(configured_sections(), DEFAULT_SECTIONS)
		# The Medical Records page shows what a new site's settings form says is released.
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		self.assertEqual(set(medical_record_types()), DEFAULT_RELEASED)
		self.assertEqual(templates.state_of(), TemplateState.CURRENT)
		self.assertTrue(
			frappe.db.exists(
				"Custom DocPerm", {"parent": PATIENT, "role": MANAGER_ROLE, "permlevel": 0, "report": 1}
			)
		)
		self.assertGreaterEqual(len(lived_in()["marley_logins"]), 5)
		assert_marley_logins_granted(self)
		# A patient who activates now sees every section with a page, not just personal details.
		ensure_outgoing_email_account()
		patient = make_eligible_patient()
		account, _invitation, key = invite_and_send(patient.name)
		self.assertTrue(accept_link(key)["ok"])
		self.assertEqual(
			sorted(frappe.get_all(SECTION, filters={"parent": account}, pluck="portal_section")),
			sorted(DEFAULT_SECTIONS),
		)
		frappe.db.rollback()
