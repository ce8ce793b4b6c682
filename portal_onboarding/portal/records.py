"""The records each portal section shows, always for one patient the caller has already resolved
through a grant (`portal.context`). Website Users hold no Desk permissions on these doctypes, so the
grant is the permission: every query here is filtered on that one patient."""

import frappe
from frappe.utils import getdate, today

from portal_onboarding.core.portal import out_of_range

SUBMITTED = 1


def appointments(patient: str) -> dict[str, list[dict]]:
	"""Upcoming (soonest first) and past (latest first) appointments."""
	rows = frappe.get_all(
		"Patient Appointment",
		filters={"patient": patient},
		fields=["name", "appointment_date", "appointment_time", "practitioner_name", "department", "status"],
		order_by="appointment_date asc, appointment_time asc",
	)
	now = getdate(today())
	upcoming = [r for r in rows if r.appointment_date and getdate(r.appointment_date) >= now]
	past = [r for r in rows if not r.appointment_date or getdate(r.appointment_date) < now]
	return {"upcoming": upcoming, "past": list(reversed(past))}


def lab_results(patient: str) -> list[dict]:
	"""Submitted lab tests, newest first, each with its results; values out of range are marked."""
	tests = frappe.get_all(
		"Lab Test",
		filters={"patient": patient, "docstatus": SUBMITTED},
		fields=["name", "lab_test_name", "result_date", "practitioner_name", "status"],
		order_by="result_date desc, creation desc",
	)
	items: dict[str, list] = {test.name: [] for test in tests}
	if tests:
		for row in frappe.get_all(
			"Normal Test Result",
			filters={"parenttype": "Lab Test", "parent": ("in", list(items))},
			fields=[
				"parent",
				"lab_test_name",
				"lab_test_event",
				"result_value",
				"lab_test_uom",
				"normal_range",
			],
			order_by="idx asc",
		):
			row.out_of_range = out_of_range(row.result_value, row.normal_range)
			items[row.parent].append(row)
	for test in tests:
		test.results = items[test.name]
	return tests


def prescriptions(patient: str) -> list[dict]:
	"""Medications from submitted encounters, newest encounter first."""
	encounters = frappe.get_all(
		"Patient Encounter",
		filters={"patient": patient, "docstatus": SUBMITTED},
		fields=["name", "encounter_date", "practitioner_name"],
		order_by="encounter_date desc, creation desc",
	)
	by_name = {e.name: e for e in encounters}
	if not encounters:
		return []
	drugs = frappe.get_all(
		"Drug Prescription",
		filters={"parenttype": "Patient Encounter", "parent": ("in", list(by_name))},
		fields=["parent", "drug_name", "drug_code", "dosage", "period", "dosage_form", "comment"],
		order_by="idx asc",
	)
	rows = []
	for encounter in encounters:
		for drug in drugs:
			if drug.parent == encounter.name:
				drug.encounter_date = encounter.encounter_date
				drug.practitioner_name = encounter.practitioner_name
				rows.append(drug)
	return rows


def personal_details(patient: str) -> dict:
	"""Name, date of birth, contact details and addresses."""
	details = frappe.db.get_value(
		"Patient",
		patient,
		["patient_name", "first_name", "last_name", "dob", "sex", "email", "mobile", "phone"],
		as_dict=True,
	)
	details.addresses = frappe.get_all(
		"Address",
		filters=[
			["Dynamic Link", "link_doctype", "=", "Patient"],
			["Dynamic Link", "link_name", "=", patient],
			["disabled", "=", 0],
		],
		fields=["address_line1", "address_line2", "city", "state", "pincode", "country"],
		order_by="`tabAddress`.is_primary_address desc",
	)
	return details
