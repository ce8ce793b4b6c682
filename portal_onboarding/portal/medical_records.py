"""The Medical Records summary for one patient the caller has already resolved through a grant
(`portal.context`), holding only the record types the clinic releases.

Only submitted records (docstatus 1) are read; drafts and cancelled records never are. The fields read
are named one by one: the practitioner's notes (an encounter's Review Details, Clinical Notes, the notes
on Vital Signs and Clinical Procedures, Marley's Patient Medical Record copies of whole documents) are
never selected. As in `portal.records`, the grant is the permission and every query is filtered on the
patient.
"""

from datetime import date, time
from typing import Any

import frappe
from frappe.utils import flt, get_time, getdate

from portal_onboarding.core.medical_records import (
	ENCOUNTER_TYPES,
	Encounter,
	Entry,
	RecordType,
	blood_pressure,
	group_into_visits,
	text_lines,
)

SUBMITTED = 1
COMPLETED_PROCEDURE = "Completed"


def summary(patient: str, released: tuple[str, ...]) -> dict[str, Any]:
	"""Visits newest first, each with its date, practitioner and released records, and the patient's
	allergies and history when the clinic releases them."""
	encounters = _encounters(patient) if ENCOUNTER_TYPES.intersection(released) else {}
	entries: list[Entry] = []
	if RecordType.VITAL_SIGNS in released:
		entries += _vital_signs(patient, encounters)
	if RecordType.DIAGNOSES in released:
		entries += _diagnoses(encounters)
	if RecordType.MEDICATIONS in released:
		entries += _medications(encounters)
	if RecordType.CLINICAL_PROCEDURES in released:
		entries += _clinical_procedures(patient)
	history = _history(patient, released)
	return {
		"visits": group_into_visits(entries, encounters),
		"history": history,
		"empty": not entries and not any(history.values()),
	}


def _encounters(patient: str) -> dict[str, Encounter]:
	rows = frappe.get_all(
		"Patient Encounter",
		filters={"patient": patient, "docstatus": SUBMITTED},
		fields=["name", "encounter_date", "encounter_time", "practitioner_name", "appointment"],
		order_by="encounter_date desc, encounter_time desc, creation desc",
	)
	return {
		row.name: Encounter(
			name=row.name,
			day=_day(row.encounter_date),
			time=_time(row.encounter_time),
			practitioner=row.practitioner_name,
			appointment=row.appointment,
		)
		for row in rows
	}


def _appointment_practitioners(patient: str, names: set[str]) -> dict[str, str]:
	if not names:
		return {}
	return dict(
		frappe.get_all(
			"Patient Appointment",
			filters={"name": ("in", sorted(names)), "patient": patient},
			fields=["name", "practitioner_name"],
			as_list=True,
		)
	)


def _vital_signs(patient: str, encounters: dict[str, Encounter]) -> list[Entry]:
	rows = frappe.get_all(
		"Vital Signs",
		filters={"patient": patient, "docstatus": SUBMITTED},
		fields=[
			"name",
			"signs_date",
			"signs_time",
			"encounter",
			"appointment",
			"temperature",
			"pulse",
			"respiratory_rate",
			"bp",
			"bp_systolic",
			"bp_diastolic",
			"height",
			"weight",
			"bmi",
		],
		order_by="signs_date desc, signs_time desc, creation desc",
	)
	practitioners = _appointment_practitioners(patient, {row.appointment for row in rows if row.appointment})
	return [
		Entry(
			kind=RecordType.VITAL_SIGNS,
			name=row.name,
			day=_day(row.signs_date),
			time=_time(row.signs_time),
			practitioner=practitioners.get(row.appointment),
			encounter=row.encounter if row.encounter in encounters else None,
			appointment=row.appointment if row.appointment in practitioners else None,
			details=frappe._dict(
				name=row.name,
				signs_date=row.signs_date,
				temperature=(row.temperature or "").strip(),
				pulse=(row.pulse or "").strip(),
				respiratory_rate=(row.respiratory_rate or "").strip(),
				blood_pressure=blood_pressure(row.bp, row.bp_systolic, row.bp_diastolic),
				height=flt(row.height) or None,
				weight=flt(row.weight) or None,
				bmi=flt(row.bmi) or None,
			),
		)
		for row in rows
	]


def _encounter_rows(
	encounters: dict[str, Encounter], doctype: str, parentfield: str, fields: list[str]
) -> list[dict]:
	if not encounters:
		return []
	return frappe.get_all(
		doctype,
		filters={
			"parenttype": "Patient Encounter",
			"parentfield": parentfield,
			"parent": ("in", list(encounters)),
		},
		fields=["parent", *fields],
		order_by="idx asc",
	)


def _diagnoses(encounters: dict[str, Encounter]) -> list[Entry]:
	rows = _encounter_rows(encounters, "Patient Encounter Diagnosis", "diagnosis", ["diagnosis"])
	return [_encounter_entry(RecordType.DIAGNOSES, encounters[row.parent], row.diagnosis) for row in rows]


def _medications(encounters: dict[str, Encounter]) -> list[Entry]:
	rows = _encounter_rows(
		encounters,
		"Drug Prescription",
		"drug_prescription",
		["drug_name", "drug_code", "dosage", "period", "dosage_form"],
	)
	return [
		_encounter_entry(
			RecordType.MEDICATIONS,
			encounters[row.parent],
			frappe._dict(
				medication=row.drug_name or row.drug_code,
				dosage=row.dosage,
				period=row.period,
				dosage_form=row.dosage_form,
			),
		)
		for row in rows
	]


def _encounter_entry(kind: str, encounter: Encounter, details: Any) -> Entry:
	return Entry(
		kind=kind,
		name=encounter.name,
		day=encounter.day,
		time=encounter.time,
		practitioner=encounter.practitioner,
		encounter=encounter.name,
		details=details,
	)


def _clinical_procedures(patient: str) -> list[Entry]:
	"""Submitted procedures that were carried out: a submitted one may still be Pending."""
	rows = frappe.get_all(
		"Clinical Procedure",
		filters={"patient": patient, "docstatus": SUBMITTED, "status": COMPLETED_PROCEDURE},
		fields=[
			"name",
			"procedure_template",
			"start_date",
			"start_time",
			"practitioner",
			"practitioner_name",
			"appointment",
		],
		order_by="start_date desc, start_time desc, creation desc",
	)
	own_appointments = _appointment_practitioners(
		patient, {row.appointment for row in rows if row.appointment}
	)
	# Marley's form fills practitioner_name in the browser only; a procedure saved otherwise lacks it.
	names = _practitioner_names(
		{row.practitioner for row in rows if row.practitioner and not row.practitioner_name}
	)
	return [
		Entry(
			kind=RecordType.CLINICAL_PROCEDURES,
			name=row.name,
			day=_day(row.start_date),
			time=_time(row.start_time),
			practitioner=row.practitioner_name
			or names.get(row.practitioner)
			or own_appointments.get(row.appointment),
			appointment=row.appointment if row.appointment in own_appointments else None,
			details=frappe._dict(procedure=row.procedure_template, start_date=row.start_date),
		)
		for row in rows
	]


def _practitioner_names(practitioners: set[str]) -> dict[str, str]:
	if not practitioners:
		return {}
	return dict(
		frappe.get_all(
			"Healthcare Practitioner",
			filters={"name": ("in", sorted(practitioners))},
			fields=["name", "practitioner_name"],
			as_list=True,
		)
	)


def _history(patient: str, released: tuple[str, ...]) -> dict[str, list[str]]:
	"""The Patient record's allergies and medical and surgical history, line by line, when released."""
	fields = []
	if RecordType.ALLERGIES in released:
		fields.append("allergies")
	if RecordType.MEDICAL_HISTORY in released:
		fields += ["medical_history", "surgical_history"]
	if not fields:
		return {}
	values = frappe.db.get_value("Patient", patient, fields, as_dict=True) or {}
	return {fieldname: text_lines(values.get(fieldname)) for fieldname in fields}


def _day(value: Any) -> date | None:
	return getdate(value) if value else None


def _time(value: Any) -> time | None:
	return get_time(value) if value not in (None, "") else None
