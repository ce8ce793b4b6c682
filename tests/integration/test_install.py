from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

import portal_onboarding
from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	MANAGER_ROLE,
	MODULE,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	PORTAL_STATUS_FIELD,
	SECTION,
	SETTINGS,
)
from portal_onboarding.setup.install import CUSTOM_FIELDS
from tests.integration.factories import make_patient

REPO = Path(__file__).resolve().parents[2]
DOCTYPES = (SETTINGS, ACCOUNT, INVITATION, EVENT, SECTION)


class TestInstall(FrappeTestCase):
	def test_site_runs_this_checkout(self):
		self.assertIn("portal_onboarding", frappe.get_installed_apps())
		self.assertEqual(Path(portal_onboarding.__file__).resolve().parents[1], REPO)
		app_path = Path(frappe.get_app_path("portal_onboarding")).resolve()
		self.assertEqual(app_path, REPO / "portal_onboarding")

	def test_doctypes_are_installed_in_the_module(self):
		for doctype in DOCTYPES:
			self.assertEqual(frappe.db.get_value("DocType", doctype, "module"), MODULE, doctype)
		self.assertTrue(frappe.get_meta(SETTINGS).issingle)
		self.assertTrue(frappe.get_meta(SECTION).istable)

	def test_required_apps_are_installed(self):
		installed = frappe.get_installed_apps()
		for app in ("erpnext", "healthcare"):
			self.assertIn(app, installed)
		self.assertEqual(frappe.get_hooks("required_apps", app_name="portal_onboarding"), ["healthcare"])

	def test_custom_fields_exist_on_patient(self):
		meta = frappe.get_meta(PATIENT)
		access = meta.get_field(PORTAL_ACCESS_FIELD)
		status = meta.get_field(PORTAL_STATUS_FIELD)
		self.assertEqual(access.options.split("\n"), ["No Access to Portal", "Patient Can Access Portal"])
		self.assertEqual(access.default, "No Access to Portal")
		self.assertTrue(status.read_only)
		for field in CUSTOM_FIELDS[PATIENT]:
			self.assertTrue(frappe.db.has_column(PATIENT, field["fieldname"]))
			self.assertTrue(
				frappe.db.exists("Custom Field", {"dt": PATIENT, "fieldname": field["fieldname"]})
			)

	def test_manager_role_exists_with_desk_access(self):
		self.assertEqual(frappe.db.get_value("Role", MANAGER_ROLE, "desk_access"), 1)
		for doctype in (SETTINGS, ACCOUNT, INVITATION, EVENT):
			roles = {p.role for p in frappe.get_meta(doctype).permissions}
			self.assertEqual(roles, {"System Manager", MANAGER_ROLE}, doctype)

	def test_new_patient_starts_without_portal_access(self):
		patient = make_patient()
		self.assertEqual(patient.get(PORTAL_ACCESS_FIELD), "No Access to Portal")
		self.assertEqual(patient.get(PORTAL_STATUS_FIELD), "Not Enabled")

	def test_status_colours_reach_desk_through_boot(self):
		hooks = frappe.get_hooks("extend_bootinfo", app_name="portal_onboarding")
		self.assertEqual(hooks, ["portal_onboarding.boot.extend_bootinfo"])
		bootinfo = frappe._dict()
		frappe.get_attr(hooks[0])(bootinfo)
		self.assertEqual(bootinfo["portal_onboarding"]["status_colours"]["Not Enabled"], "red")
