"""Portal Status as a column of the Patient list, arranged as an admin would with the list's List Settings.

Frappe shows a field in a list when it is `in_list_view`, and cuts the columns to what the screen holds
(four on a 1366-pixel laptop). So the column is placed right after Marley's own status in the Patient
List View Settings, where clinics can move or drop it again: install sets it up once and leaves later
changes alone; uninstall takes it away.
"""

import json

import frappe
from frappe.custom.doctype.property_setter.property_setter import make_property_setter

from portal_onboarding.constants import PATIENT, PORTAL_STATUS_FIELD

LIST_VIEW_SETTINGS = "List View Settings"
# Marley's Active/Disabled field: the portal status goes right after it.
BESIDE_FIELD = "status"
COLUMN = {"label": "Portal Status", "fieldname": PORTAL_STATUS_FIELD}


def show_portal_status_in_patient_list() -> None:
	"""Make Portal Status a Patient list column right after Marley's status; keeps an existing one."""
	make_property_setter(
		PATIENT,
		PORTAL_STATUS_FIELD,
		"in_list_view",
		"1",
		"Check",
		validate_fields_for_doctype=False,
	)
	if frappe.db.exists(LIST_VIEW_SETTINGS, PATIENT):
		settings = frappe.get_doc(LIST_VIEW_SETTINGS, PATIENT)
	else:
		settings = frappe.new_doc(LIST_VIEW_SETTINGS)
		settings.name = PATIENT
	columns = json.loads(settings.fields or "null") or default_columns()
	if not any(column.get("fieldname") == PORTAL_STATUS_FIELD for column in columns):
		names = [column.get("fieldname") for column in columns]
		at = names.index(BESIDE_FIELD) + 1 if BESIDE_FIELD in names else len(columns)
		columns.insert(at, dict(COLUMN))
	settings.fields = json.dumps(columns)
	if settings.is_new():
		settings.insert(ignore_permissions=True)
	else:
		settings.save(ignore_permissions=True)
	frappe.clear_cache(doctype=PATIENT)


def hide_portal_status_in_patient_list() -> None:
	"""Undo show_portal_status_in_patient_list: no column, nothing left in the list's settings."""
	frappe.db.delete(
		"Property Setter",
		{"doc_type": PATIENT, "field_name": PORTAL_STATUS_FIELD, "property": "in_list_view"},
	)
	if frappe.db.exists(LIST_VIEW_SETTINGS, PATIENT):
		settings = frappe.get_doc(LIST_VIEW_SETTINGS, PATIENT)
		columns = json.loads(settings.fields or "null") or []
		kept = [column for column in columns if column.get("fieldname") != PORTAL_STATUS_FIELD]
		if kept != columns:
			settings.fields = json.dumps(kept)
			settings.save(ignore_permissions=True)
	frappe.clear_cache(doctype=PATIENT)


def default_columns() -> list[dict]:
	"""The columns Frappe's List Settings starts from: the title field, then every in-list-view field."""
	meta = frappe.get_meta(PATIENT)
	title = meta.title_field or "name"
	columns = [{"label": meta.get_label(title) if title != "name" else "ID", "fieldname": title}]
	columns += [
		{"label": field.label, "fieldname": field.fieldname}
		for field in meta.fields
		if field.in_list_view
		and field.fieldname not in (title, PORTAL_STATUS_FIELD)
		and field.fieldtype not in frappe.model.no_value_fields
	]
	return columns
