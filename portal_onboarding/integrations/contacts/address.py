"""Address doc_events: a patient's home ZIP code lives on their addresses; the report reads a copy."""

from frappe.model.document import Document

from portal_onboarding.constants import PATIENT
from portal_onboarding.primitives.status import refresh_home_zip


def linked_patients(doc: Document) -> set[str]:
	"""Patients the address is linked to now, and those it was linked to before this save."""
	patients = {link.link_name for link in doc.get("links") or [] if link.link_doctype == PATIENT}
	before = doc.get_doc_before_save() if hasattr(doc, "get_doc_before_save") else None
	if before:
		patients |= {link.link_name for link in before.get("links") or [] if link.link_doctype == PATIENT}
	return patients


def on_update(doc: Document, method: str | None = None) -> None:
	for patient in linked_patients(doc):
		refresh_home_zip(patient)


def after_delete(doc: Document, method: str | None = None) -> None:
	for patient in linked_patients(doc):
		refresh_home_zip(patient)
