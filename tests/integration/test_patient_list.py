import json

import frappe
from frappe.tests.utils import FrappeTestCase

from portal_onboarding.constants import PATIENT, PORTAL_STATUS_FIELD
from portal_onboarding.setup.patient_list import (
	LIST_VIEW_SETTINGS,
	hide_portal_status_in_patient_list,
	show_portal_status_in_patient_list,
)


def list_columns() -> list[str]:
	fields = frappe.db.get_value(LIST_VIEW_SETTINGS, PATIENT, "fields")
	return [column["fieldname"] for column in json.loads(fields or "[]")]


def in_list_view() -> bool:
	return bool(frappe.get_meta(PATIENT).get_field(PORTAL_STATUS_FIELD).in_list_view)


class TestPatientListColumn(FrappeTestCase):
	def setUp(self):
		frappe.db.savepoint("patient_list")
		# Each test starts from a site whose clinic never arranged the Patient list.
		hide_portal_status_in_patient_list()
		frappe.db.delete(LIST_VIEW_SETTINGS, {"name": PATIENT})

	def tearDown(self):
		frappe.db.rollback(save_point="patient_list")
		frappe.clear_cache(doctype=PATIENT)

	def test_the_column_sits_right_after_marleys_status(self):
		show_portal_status_in_patient_list()
		self.assertTrue(in_list_view())
		columns = list_columns()
		self.assertEqual(columns[0], frappe.get_meta(PATIENT).title_field)
		self.assertEqual(columns[columns.index("status") + 1], PORTAL_STATUS_FIELD)
		self.assertIn("mobile", columns)

	def test_showing_twice_adds_one_column(self):
		show_portal_status_in_patient_list()
		show_portal_status_in_patient_list()
		self.assertEqual(list_columns().count(PORTAL_STATUS_FIELD), 1)

	def test_a_clinics_own_arrangement_is_kept(self):
		own = [{"fieldname": "patient_name"}, {"fieldname": "mobile"}]
		frappe.get_doc(
			{"doctype": LIST_VIEW_SETTINGS, "name": PATIENT, "fields": json.dumps(own), "disable_count": 1}
		).insert(ignore_permissions=True)
		show_portal_status_in_patient_list()
		self.assertEqual(list_columns(), ["patient_name", "mobile", PORTAL_STATUS_FIELD])
		self.assertEqual(frappe.db.get_value(LIST_VIEW_SETTINGS, PATIENT, "disable_count"), 1)

	def test_a_column_the_clinic_moved_stays_where_they_put_it(self):
		moved = [{"fieldname": "patient_name"}, {"fieldname": PORTAL_STATUS_FIELD}, {"fieldname": "status"}]
		frappe.get_doc({"doctype": LIST_VIEW_SETTINGS, "name": PATIENT, "fields": json.dumps(moved)}).insert(
			ignore_permissions=True
		)
		show_portal_status_in_patient_list()
		self.assertEqual(list_columns(), ["patient_name", PORTAL_STATUS_FIELD, "status"])

	def test_hiding_removes_the_column_and_nothing_else(self):
		show_portal_status_in_patient_list()
		before = list_columns()
		hide_portal_status_in_patient_list()
		self.assertFalse(in_list_view())
		self.assertEqual(list_columns(), [name for name in before if name != PORTAL_STATUS_FIELD])
		self.assertFalse(
			frappe.db.exists(
				"Property Setter",
				{"doc_type": PATIENT, "field_name": PORTAL_STATUS_FIELD, "property": "in_list_view"},
			)
		)
