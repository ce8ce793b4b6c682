"""The word index behind the onboarding report's search: one row per word a patient is found by.

Which words, and what a typed search looks up, is `core.patient_search`; this keeps the words in a
table of their own, next to Marley's `tabPatient` rather than in it. Measured at 100,000 patients
(README, "Benchmark"):

- LIKE '%term%' on tabPatient, as the report searched before: a scan, 200 ms for the counts alone;
- an indexed, generated search column on tabPatient: its index is scanned instead of the table, and
  is no faster (206 ms to count "garcia": the column is evaluated for every row);
- prefixes on indexed name, email and mobile columns: an index merge, 4 ms, but blind to every word
  after a field's first: "cruz" finds none of the 888 patients named de la Cruz;
- a FULLTEXT index: 5 ms, but InnoDB adds a row to it only at commit (a patient saved in the same
  transaction is not found), words under three letters ("Li", "Wu") are not in it at all, and it
  puts a hidden column and a table rebuild on Marley's table;
- this table: each word typed is a range on its primary key, 6 ms to count "garcia", and it finds
  what the unit-tested Python says, inside a transaction as after it.

Like Frappe's own `__global_search` it holds derived rows, not documents: no DocType, so no Desk form,
permissions or standard columns doubling its size. Words are folded already and compared byte for
byte; the patient column has tabPatient's collation, so joining back is a lookup on its primary key.
The Patient hooks keep it (insert, save, rename, delete), the demo data command writes and removes
it with its patients, and it is made and filled with the report's indexes (`setup.indexes`).
"""

from collections.abc import Iterable, Sequence

import frappe
from frappe.model.document import Document

from portal_onboarding.constants import PATIENT
from portal_onboarding.core.patient_search import WORD_LENGTH, patient_words

TABLE = "__portal_onboarding_patient_words"
# What a patient is found by; a save that changes none of them leaves the words alone.
SEARCHED_FIELDS = ("patient_name", "email", "mobile")
CHUNK_SIZE = 5_000

PatientRow = tuple[str, str | None, str | None, str | None]  # name, patient_name, email, mobile


def exists() -> bool:
	return TABLE in frappe.db.get_tables(cached=False)


def create() -> bool:
	"""Make the (empty) table when the site has none; True when it was made."""
	if exists():
		return False
	frappe.db.sql_ddl(
		f"""create table `{TABLE}` (
			word varchar({WORD_LENGTH}) character set utf8mb4 collate utf8mb4_bin not null,
			patient varchar(140) character set utf8mb4 collate utf8mb4_unicode_ci not null,
			primary key (word, patient),
			key patient (patient)
		) engine=InnoDB"""
	)
	return True


def drop() -> None:
	frappe.db.sql_ddl(f"drop table if exists `{TABLE}`")


# add() and forget() write their statements with bound values rather than through frappe.qb: on every
# Patient save, building them with the query builder cost as much as running them.


def add(patients: Sequence[PatientRow]) -> int:
	"""Write the words of these patients (a word already there stays once); returns how many."""
	rows = [(word, row[0]) for row in patients for word in patient_words(*row)]
	for start in range(0, len(rows), CHUNK_SIZE):
		chunk = rows[start : start + CHUNK_SIZE]
		frappe.db.sql(
			f"insert into `{TABLE}` (word, patient) values {', '.join(['(%s, %s)'] * len(chunk))}"
			" on duplicate key update patient = patient",
			[value for row in chunk for value in row],
		)
	return len(rows)


def forget(patients: Iterable[str]) -> None:
	"""Delete the words of these patients."""
	names = tuple(patients)
	for start in range(0, len(names), CHUNK_SIZE):
		frappe.db.sql(
			f"delete from `{TABLE}` where patient in %(names)s", {"names": names[start : start + CHUNK_SIZE]}
		)


def index(patients: Sequence[PatientRow]) -> None:
	"""Replace the words of these patients with what they are found by now."""
	forget(row[0] for row in patients)
	add(patients)


def index_patient(doc: Document) -> None:
	"""A Patient saved: its words on insert, new ones when what it is found by changed."""
	row = (doc.name, *(doc.get(field) for field in SEARCHED_FIELDS))
	if doc.flags.in_insert:
		add([row])
	elif any(doc.has_value_changed(field) for field in SEARCHED_FIELDS):
		index([row])


def rename(old: str, new: str, merge: bool) -> None:
	"""A Patient renamed: its words move; merged into another, they go (the other keeps its own)."""
	table = frappe.qb.Table(TABLE)
	forget([old] if merge else [new])
	if not merge:
		frappe.qb.update(table).set(table.patient, new).where(table.patient == old).run()


def index_all(chunk_size: int = CHUNK_SIZE) -> None:
	"""Words for every patient, a chunk of patients at a time in name order (install, patch)."""
	patient = frappe.qb.DocType(PATIENT)
	last = ""
	while rows := (
		frappe.qb.from_(patient)
		.select(patient.name, *(patient[field] for field in SEARCHED_FIELDS))
		.where(patient.name > last)
		.orderby(patient.name)
		.limit(chunk_size)
		.run()
	):
		index(rows)
		last = rows[-1][0]
