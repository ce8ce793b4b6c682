"""What the Patient form and the portal show of a patient's shared documents, and which of the patient's
files staff can pick to share. Callers have checked who is asking (api/documents.py, the portal context)."""

from typing import Any

import frappe
from frappe.query_builder import Criterion

from portal_onboarding.constants import DOCUMENT, PATIENT
from portal_onboarding.core.documents import CLINICAL_RECORDS, human_size


def for_portal(patient: str) -> list[dict]:
	"""The patient's shared documents, newest first: what the portal's Documents page lists. The grant is
	the permission (portal logins hold none on the doctype), so the query is filtered on the patient."""
	rows = frappe.get_all(
		DOCUMENT,
		filters={"patient": patient},
		fields=["name", "title", "shared_on", "file_size"],
		order_by="shared_on desc, creation desc",
	)
	for row in rows:
		row.size = human_size(row.file_size)
	return rows


def for_desk(patient: str) -> list[dict]:
	"""The patient's shares for the Patient form (permission-aware: the manager roles read them)."""
	rows = frappe.get_list(
		DOCUMENT,
		filters={"patient": patient},
		fields=[
			"name",
			"title",
			"file",
			"file_size",
			"reference_doctype",
			"reference_name",
			"shared_by",
			"shared_on",
		],
		order_by="shared_on desc, creation desc",
		limit_page_length=200,
	)
	for row in rows:
		row.size = human_size(row.file_size)
	return rows


def share_of(name: str) -> Any:
	"""One share's patient, file and title, or None."""
	if not name or not isinstance(name, str):
		return None
	return frappe.db.get_value(DOCUMENT, name, ["name", "patient", "file", "title"], as_dict=True)


def attached_files(patient: str) -> list[Any]:
	"""Files attached to the Patient or to any of its clinical records (folders aside), newest first."""
	file = frappe.qb.DocType("File")
	installed = frappe.get_all("DocType", filters={"name": ("in", CLINICAL_RECORDS)}, pluck="name")
	on_records = [
		(file.attached_to_doctype == doctype)
		& file.attached_to_name.isin(
			frappe.qb.from_(frappe.qb.DocType(doctype))
			.select("name")
			.where(frappe.qb.DocType(doctype).patient == patient)
		)
		for doctype in installed
	]
	on_patient = (file.attached_to_doctype == PATIENT) & (file.attached_to_name == patient)
	return (
		frappe.qb.from_(file)
		.select(
			file.name,
			file.file_name,
			file.file_size,
			file.is_private,
			file.attached_to_doctype,
			file.attached_to_name,
			file.creation,
		)
		.where((file.is_folder == 0) & Criterion.any([on_patient, *on_records]))
		.orderby(file.creation, order=frappe.qb.desc)
		.limit(500)
		.run(as_dict=True)
	)


def shareable_files(patient: str) -> list[dict]:
	"""The patient's files the current user may read, each marked with its share (if any)."""
	files = [row for row in attached_files(patient) if frappe.has_permission("File", "read", doc=row.name)]
	shared = dict(
		frappe.get_all(
			DOCUMENT,
			filters={"file": ("in", [row.name for row in files] or [""])},
			fields=["file", "name"],
			as_list=True,
		)
	)
	for row in files:
		row.size = human_size(row.file_size)
		row.shared_as = shared.get(row.name)
	return files
