import json
from datetime import date, time
from pathlib import Path

from portal_onboarding.core.medical_records import (
	DEFAULT_RELEASED,
	RELEASE_FIELDS,
	VISIT_TYPES,
	Encounter,
	Entry,
	RecordType,
	blood_pressure,
	group_into_visits,
	released_types,
	text_lines,
	visit_key,
)

SETTINGS_DOCTYPE = (
	Path(__file__).resolve().parents[2]
	/ "portal_onboarding/portal_onboarding/doctype/portal_onboarding_settings/portal_onboarding_settings.json"
)
VITALS, DIAGNOSES, MEDICATIONS, PROCEDURES = VISIT_TYPES
MAY = Encounter("ENC-MAY", date(2026, 5, 4), time(9, 30), "Dr Ana Torres", "APT-MAY")
JUNE = Encounter("ENC-JUN", date(2026, 6, 1), time(8, 0), "Dr Ben Ruiz")
ENCOUNTERS = {e.name: e for e in (MAY, JUNE)}


def from_encounter(kind: str, encounter: Encounter, details: str) -> Entry:
	return Entry(
		kind,
		encounter.name,
		encounter.day,
		encounter.time,
		encounter.practitioner,
		encounter.name,
		None,
		details,
	)


def test_the_settings_checks_decide_which_types_are_released_in_display_order():
	everything = {fieldname: 1 for fieldname in RELEASE_FIELDS.values()}
	assert released_types(everything) == tuple(RELEASE_FIELDS)
	assert released_types({}) == ()
	assert released_types(
		{"release_medications": 1, "release_vital_signs": "1", "release_diagnoses": "0"}
	) == (
		RecordType.VITAL_SIGNS,
		RecordType.MEDICATIONS,
	)
	assert released_types({"release_allergies": " ", "release_medical_history": None}) == ()


def test_the_settings_doctype_defaults_release_exactly_vitals_diagnoses_and_medications():
	doctype = json.loads(SETTINGS_DOCTYPE.read_text())
	fields = {field["fieldname"]: field for field in doctype["fields"]}
	for kind, fieldname in RELEASE_FIELDS.items():
		assert fields[fieldname]["fieldtype"] == "Check", fieldname
		assert fields[fieldname]["default"] == ("1" if kind in DEFAULT_RELEASED else "0"), fieldname
		assert fieldname in doctype["field_order"]
	defaults = {name: field.get("default") for name, field in fields.items()}
	assert released_types(defaults) == (RecordType.VITAL_SIGNS, RecordType.DIAGNOSES, RecordType.MEDICATIONS)


def test_no_record_type_names_a_practitioners_note():
	for kind, fieldname in RELEASE_FIELDS.items():
		assert "note" not in kind.lower() and "comment" not in fieldname, kind


def test_records_of_one_appointment_or_encounter_share_a_visit():
	by_encounter = Entry(VITALS, "VS-1", date(2026, 5, 4), encounter="ENC-MAY")
	by_appointment = Entry(VITALS, "VS-2", date(2026, 5, 4), appointment="APT-MAY")
	assert (
		visit_key(by_encounter, ENCOUNTERS) == visit_key(by_appointment, ENCOUNTERS) == "appointment:APT-MAY"
	)
	assert visit_key(Entry(VITALS, "VS-3", None, encounter="ENC-JUN"), ENCOUNTERS) == "encounter:ENC-JUN"
	# A link to an encounter that is not submitted (a draft, a cancelled one) counts for nothing.
	assert visit_key(Entry(VITALS, "VS-4", None, encounter="ENC-DRAFT"), ENCOUNTERS) == "Vital Signs:VS-4"
	assert visit_key(Entry(PROCEDURES, "CP-1", None), ENCOUNTERS) == "Clinical Procedures:CP-1"


def test_visits_come_newest_first_with_their_encounters_date_and_practitioner():
	entries = [
		from_encounter(DIAGNOSES, MAY, "Asthma"),
		from_encounter(MEDICATIONS, MAY, "Salbutamol"),
		# The nurse took the vitals before the encounter began; the visit keeps the encounter's date.
		Entry(VITALS, "VS-1", date(2026, 5, 3), time(18, 0), None, None, "APT-MAY", "vitals-may"),
		from_encounter(DIAGNOSES, JUNE, "Sinusitis"),
		from_encounter(DIAGNOSES, JUNE, "Otitis"),
	]
	visits = group_into_visits(entries, ENCOUNTERS)
	assert [v.key for v in visits] == ["encounter:ENC-JUN", "appointment:APT-MAY"]
	june, may = visits
	assert (june.day, june.practitioner) == (date(2026, 6, 1), "Dr Ben Ruiz")
	assert june.sections() == [(DIAGNOSES, ["Sinusitis", "Otitis"])]
	assert (may.day, may.time, may.practitioner) == (date(2026, 5, 4), time(9, 30), "Dr Ana Torres")
	assert may.sections() == [
		(VITALS, ["vitals-may"]),
		(DIAGNOSES, ["Asthma"]),
		(MEDICATIONS, ["Salbutamol"]),
	]


def test_the_encounter_settles_its_visit_whichever_record_comes_first():
	vitals = Entry(VITALS, "VS-1", date(2026, 5, 9), time(23, 0), "Dr Front Desk", None, "APT-MAY", "v")
	for entries in (
		[vitals, from_encounter(DIAGNOSES, MAY, "d")],
		[from_encounter(DIAGNOSES, MAY, "d"), vitals],
	):
		(visit,) = group_into_visits(entries, ENCOUNTERS)
		assert (visit.day, visit.time, visit.practitioner) == (MAY.day, MAY.time, MAY.practitioner)


def test_visits_without_an_encounter_take_their_latest_record_and_undated_ones_come_last():
	entries = [
		Entry(VITALS, "VS-A", date(2026, 1, 2), time(9, 0), None, None, "APT-1", "early"),
		Entry(VITALS, "VS-B", date(2026, 1, 2), time(15, 0), "Dr Cruz", None, "APT-1", "late"),
		Entry(VITALS, "VS-C", date(2026, 1, 2), None, None, None, "APT-1", "untimed"),
		Entry(PROCEDURES, "CP-1", None, None, "Dr Diaz", None, None, "undated"),
		Entry(PROCEDURES, "CP-2", date(2026, 1, 2), time(16, 0), None, None, None, "afternoon"),
		Entry(VITALS, "VS-D", date(2025, 12, 31), None, None, None, None, "old"),
	]
	visits = group_into_visits(entries, {})
	assert [v.key for v in visits] == [
		"Clinical Procedures:CP-2",
		"appointment:APT-1",
		"Vital Signs:VS-D",
		"Clinical Procedures:CP-1",
	]
	appointment = visits[1]
	assert (appointment.day, appointment.time, appointment.practitioner) == (
		date(2026, 1, 2),
		time(15),
		"Dr Cruz",
	)
	assert appointment.sections() == [(VITALS, ["early", "late", "untimed"])]
	assert visits[3].day is None and visits[3].practitioner == "Dr Diaz"
	assert group_into_visits([], ENCOUNTERS) == []


def test_blood_pressure_reads_as_marleys_form_writes_it():
	assert blood_pressure("118/76 mmHg", "1", "2") == "118/76 mmHg"
	assert blood_pressure(None, " 120", "80 ") == "120/80 mmHg"
	assert blood_pressure("  ", "120", None) == ""
	assert blood_pressure(None, "120", " ") == ""


def test_free_text_is_shown_line_by_line_without_blank_lines():
	assert text_lines("Penicillin\n\n  Latex  \r\n") == ["Penicillin", "Latex"]
	assert text_lines(None) == [] == text_lines("  \n ")
