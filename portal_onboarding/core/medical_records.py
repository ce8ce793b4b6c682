"""Rules of the portal's Medical Records page: which record types the clinic releases, and how the
released records gather into visits, newest first.

What a practitioner writes as notes (an encounter's Review Details, Clinical Notes, the notes on Vital
Signs and procedures) is never a record type here: nothing in this module can name it.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class RecordType:
	"""The record types the portal can release, in the order a visit shows them."""

	VITAL_SIGNS = "Vital Signs"
	DIAGNOSES = "Diagnoses"
	MEDICATIONS = "Medications"
	CLINICAL_PROCEDURES = "Clinical Procedures"
	ALLERGIES = "Allergies"
	MEDICAL_HISTORY = "Medical History"


# Record type -> the Check on Portal Onboarding Settings that releases it, in display order.
RELEASE_FIELDS: dict[str, str] = {
	RecordType.VITAL_SIGNS: "release_vital_signs",
	RecordType.DIAGNOSES: "release_diagnoses",
	RecordType.MEDICATIONS: "release_medications",
	RecordType.CLINICAL_PROCEDURES: "release_clinical_procedures",
	RecordType.ALLERGIES: "release_allergies",
	RecordType.MEDICAL_HISTORY: "release_medical_history",
}
# Released until the clinic says otherwise: what a submitted visit records about the patient.
DEFAULT_RELEASED = frozenset({RecordType.VITAL_SIGNS, RecordType.DIAGNOSES, RecordType.MEDICATIONS})
# Types that belong to a visit; the others describe the patient as a whole.
VISIT_TYPES = (
	RecordType.VITAL_SIGNS,
	RecordType.DIAGNOSES,
	RecordType.MEDICATIONS,
	RecordType.CLINICAL_PROCEDURES,
)
# Types read from submitted Patient Encounters, or dated by the encounter they were recorded in.
ENCOUNTER_TYPES = frozenset({RecordType.VITAL_SIGNS, RecordType.DIAGNOSES, RecordType.MEDICATIONS})


def released_types(checks: Mapping[str, Any]) -> tuple[str, ...]:
	"""The record types whose Check is set in `checks` (settings field -> value), in display order."""
	return tuple(kind for kind, fieldname in RELEASE_FIELDS.items() if _is_set(checks.get(fieldname)))


def _is_set(value: Any) -> bool:
	if isinstance(value, str):
		return value.strip() not in ("", "0")
	return bool(value)


@dataclass(frozen=True)
class Encounter:
	"""A submitted Patient Encounter: the visit its records belong to."""

	name: str
	day: dt.date | None
	time: dt.time | None = None
	practitioner: str | None = None
	appointment: str | None = None


@dataclass(frozen=True)
class Entry:
	"""One released record. `details` is what the page shows; the rules never read it."""

	kind: str
	name: str
	day: dt.date | None
	time: dt.time | None = None
	practitioner: str | None = None
	encounter: str | None = None
	appointment: str | None = None
	details: Any = None


@dataclass
class Visit:
	"""The records of one visit: its date, its practitioner and the records of each type."""

	key: str
	day: dt.date | None
	time: dt.time | None = None
	practitioner: str | None = None
	records: dict[str, list[Any]] = field(default_factory=dict)

	def sections(self) -> list[tuple[str, list[Any]]]:
		"""(record type, records) for each type this visit holds, in display order."""
		return [(kind, self.records[kind]) for kind in VISIT_TYPES if self.records.get(kind)]


def visit_key(entry: Entry, encounters: Mapping[str, Encounter]) -> str:
	"""One key per visit: the appointment (also through the encounter a record was made from), else
	the encounter, else the record alone. A link to an encounter that is not submitted is ignored."""
	encounter = encounters.get(entry.encounter) if entry.encounter else None
	appointment = entry.appointment or (encounter.appointment if encounter else None)
	if appointment:
		return f"appointment:{appointment}"
	if encounter:
		return f"encounter:{encounter.name}"
	return f"{entry.kind}:{entry.name}"


def group_into_visits(entries: Iterable[Entry], encounters: Mapping[str, Encounter]) -> list[Visit]:
	"""Gather entries into visits, newest first (by date, then time); undated visits come last.

	A visit's date, time and practitioner are its encounter's when it has one; otherwise its latest
	record's date and time, and the practitioner its records name.
	"""
	visits: dict[str, Visit] = {}
	settled: set[str] = set()  # visits whose date and practitioner come from their encounter
	for entry in entries:
		key = visit_key(entry, encounters)
		visit = visits.setdefault(key, Visit(key=key, day=None))
		visit.records.setdefault(entry.kind, []).append(entry.details)
		encounter = encounters.get(entry.encounter) if entry.encounter else None
		if encounter and key not in settled:
			settled.add(key)
			visit.day, visit.time = encounter.day, encounter.time
			visit.practitioner = encounter.practitioner or visit.practitioner
		elif key not in settled and _later(entry.day, entry.time, visit.day, visit.time):
			visit.day, visit.time = entry.day, entry.time
		visit.practitioner = visit.practitioner or entry.practitioner
	return sorted(visits.values(), key=_newest_first)


def _later(
	day: dt.date | None, at: dt.time | None, than_day: dt.date | None, than_time: dt.time | None
) -> bool:
	if day is None:
		return False
	if than_day is None:
		return True
	return (day, at or dt.time.min) > (than_day, than_time or dt.time.min)


def _newest_first(visit: Visit) -> tuple:
	if visit.day is None:
		return (1, 0, 0, visit.key)
	moment = visit.time or dt.time.min
	seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
	return (0, -visit.day.toordinal(), -seconds, visit.key)


def blood_pressure(bp: str | None, systolic: str | None, diastolic: str | None) -> str:
	"""The reading as Marley's form writes it ("120/80 mmHg"), also for records saved without it."""
	if bp and bp.strip():
		return bp.strip()
	if systolic and diastolic and systolic.strip() and diastolic.strip():
		return f"{systolic.strip()}/{diastolic.strip()} mmHg"
	return ""


def text_lines(text: str | None) -> list[str]:
	"""The non-empty lines of a free-text field, for a page that escapes each one."""
	return [line.strip() for line in (text or "").splitlines() if line.strip()]
