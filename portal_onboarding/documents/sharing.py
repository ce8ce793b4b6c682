"""Sharing a patient's files with the portal, and ending a share: by staff, or because the file was
deleted, no longer belongs to the record it was shared from, or that record was cancelled. Each change
is audited."""

from typing import Any

import frappe
from frappe import _
from frappe.utils import escape_html, now_datetime

from portal_onboarding.constants import DOCUMENT, PATIENT, EventType
from portal_onboarding.core.documents import (
	CLINICAL_RECORDS,
	Attachment,
	check_share,
	clean_title,
	is_shareable_doctype,
)
from portal_onboarding.exceptions import InvalidDocumentShare, throw_reasons
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.locks import lock_patient_row
from portal_onboarding.security.actions import app_action


def load_file(name: str) -> Any:
	"""The File named `name`; a clear refusal when there is none."""
	if not name or not frappe.db.exists("File", name):
		frappe.throw(
			_("File {0} does not exist.").format(frappe.bold(escape_html(name))), exc=frappe.DoesNotExistError
		)
	return frappe.get_doc("File", name)


def attachment(file: Any) -> Attachment:
	"""What the rules need to know about the record `file` is attached to."""
	doctype, name = file.attached_to_doctype, file.attached_to_name
	exists, patient, docstatus = False, None, 0
	if doctype and name and is_shareable_doctype(doctype):
		if doctype == PATIENT:
			exists = bool(frappe.db.exists(PATIENT, name))
			patient = name if exists else None
		elif row := frappe.db.get_value(doctype, name, ["patient", "docstatus"], as_dict=True):
			exists, patient, docstatus = True, row.patient, row.docstatus
	return Attachment(
		is_folder=bool(file.is_folder),
		attached_to_doctype=doctype,
		attached_to_name=name,
		record_exists=exists,
		record_patient=patient,
		record_docstatus=docstatus,
	)


def patient_of(file: Any) -> str:
	"""The patient whose record `file` is attached to; refuses, saying why, a file that cannot be shared."""
	facts = attachment(file)
	throw_reasons(check_share(facts), InvalidDocumentShare, _("The file cannot be shared"))
	return facts.record_patient


@app_action
def share(file: Any, title: str | None = None) -> tuple[Any, bool]:
	"""Share `file` with its patient's portal; (the share, whether it is new). A file has one share."""
	patient = patient_of(file)
	lock_patient_row(patient)
	frappe.db.get_value("File", file.name, "name", for_update=True)  # two clicks wait in line
	if existing := frappe.db.get_value(DOCUMENT, {"file": file.name}, "name"):
		return frappe.get_doc(DOCUMENT, existing), False
	doc = frappe.get_doc(
		{
			"doctype": DOCUMENT,
			"patient": patient,
			"title": clean_title(title, file.file_name),
			"file": file.name,
			"file_size": file.file_size or 0,
			"reference_doctype": file.attached_to_doctype,
			"reference_name": file.attached_to_name,
			"shared_by": frappe.session.user,
			"shared_on": now_datetime(),
		}
	).insert(ignore_permissions=True)
	log_event(
		EventType.DOCUMENT_SHARED,
		None,
		patient,
		_("{0}: {1} (file {2}, attached to {3} {4})").format(
			doc.name, doc.title, file.name, doc.reference_doctype, doc.reference_name
		),
	)
	return doc, True


@app_action
def unshare(name: str, why: str) -> None:
	"""End the share `name`: the portal stops listing and serving it at once."""
	patient = frappe.db.get_value(DOCUMENT, name, "patient")
	if not patient:
		return
	lock_patient_row(patient)
	doc = frappe.get_doc(DOCUMENT, name, for_update=True)
	doc.delete(ignore_permissions=True, delete_permanently=True)
	log_event(EventType.DOCUMENT_UNSHARED, None, patient, _("{0}: {1}. {2}").format(name, doc.title, why))


def shares_of(file: str) -> list[Any]:
	return frappe.get_all(
		DOCUMENT,
		filters={"file": file},
		fields=["name", "reference_doctype", "reference_name"],
	)


# File doc_events: a share never outlives its file, nor follows it to another record.


def on_file_trash(doc: Any, method: str | None = None) -> None:
	for row in shares_of(doc.name):
		unshare(row.name, _("The file was deleted."))


def on_file_update(doc: Any, method: str | None = None) -> None:
	if doc.flags.in_insert:  # a new upload has no share yet
		return
	shares = shares_of(doc.name)
	if not shares:
		return
	before = doc.get_doc_before_save()
	replaced = before is not None and before.file_url != doc.file_url
	for row in shares:
		moved = (row.reference_doctype, row.reference_name) != (doc.attached_to_doctype, doc.attached_to_name)
		if moved or replaced:
			unshare(row.name, _("The file was replaced or attached to another record."))


# Clinical records' on_cancel (a "*" doc_event): a voided record's files are no longer the patient's to see.


def on_record_cancel(doc: Any, method: str | None = None) -> None:
	if doc.doctype not in CLINICAL_RECORDS:
		return
	for name in frappe.get_all(
		DOCUMENT,
		filters={"reference_doctype": doc.doctype, "reference_name": doc.name},
		pluck="name",
	):
		unshare(name, _("The record it was attached to was cancelled."))
