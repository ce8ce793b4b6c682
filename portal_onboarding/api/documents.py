"""Documents shared with the patient portal: managers share and unshare a patient's files; a portal
login downloads what is shared with a patient it holds the Documents section on."""

from werkzeug.wrappers import Response

import frappe
from frappe import _
from frappe.utils import escape_html

from portal_onboarding.api.account import check_admin, require_portal_admin
from portal_onboarding.api.portal import not_available
from portal_onboarding.constants import DOCUMENT, PATIENT
from portal_onboarding.core.documents import DOCUMENTS_SECTION, check_share, download_filename
from portal_onboarding.documents import queries, sharing
from portal_onboarding.exceptions import reason_text
from portal_onboarding.permissions import granted
from portal_onboarding.portal.downloads import private_download


def check_admin_of_file(file: str):
	"""A manager who may read the File and its patient; returns (the File, its patient)."""
	require_portal_admin()  # before saying anything about the file
	doc = sharing.load_file(file)
	patient = sharing.patient_of(doc)
	check_admin(patient)
	frappe.has_permission("File", "read", doc=doc, throw=True)
	return doc, patient


@frappe.whitelist(methods=["POST"])
def share(file: str, title: str | None = None) -> dict:
	"""Share a file attached to the Patient or one of its clinical records with the patient portal."""
	doc, _patient = check_admin_of_file(file)
	shared, created = sharing.share(doc, title)
	return {"document": shared.name, "patient": shared.patient, "title": shared.title, "created": created}


@frappe.whitelist(methods=["POST"])
def unshare(document: str) -> dict:
	"""Stop sharing a document: the portal no longer lists or serves it."""
	require_portal_admin()
	patient = frappe.db.get_value(DOCUMENT, document, "patient")
	if not patient:
		frappe.throw(
			_("Shared document {0} does not exist.").format(frappe.bold(escape_html(document))),
			exc=frappe.DoesNotExistError,
		)
	check_admin(patient)
	sharing.unshare(document, _("Unshared by staff."))
	return {"unshared": document}


@frappe.whitelist(methods=["GET"])
def patient_documents(patient: str) -> list[dict]:
	"""The patient's shared documents, for the Patient form (for those who may read shares)."""
	frappe.has_permission(PATIENT, "read", patient, throw=True)
	return queries.for_desk(patient)


@frappe.whitelist(methods=["GET"])
def shareable_files(patient: str) -> list[dict]:
	"""Files attached to the patient and its clinical records that the manager may read and share."""
	check_admin(patient)
	return queries.shareable_files(patient)


@frappe.whitelist(methods=["GET"])
def file_sharing(file: str) -> dict:
	"""For the File form: whether the file can be shared (and why not), and its share if it has one."""
	require_portal_admin()
	doc = sharing.load_file(file)
	frappe.has_permission("File", "read", doc=doc, throw=True)
	reasons = check_share(sharing.attachment(doc))
	shared = frappe.db.get_value(DOCUMENT, {"file": doc.name}, ["name", "title", "patient"], as_dict=True)
	return {
		"shareable": not reasons,
		"reason": reason_text(reasons[0]) if reasons else None,
		"document": shared,
	}


@frappe.whitelist(methods=["GET"])
def download(document: str) -> Response:
	"""The shared file's content, for a login holding the Documents section on its patient. The same
	refusal for a share that does not exist, has ended or is another patient's; the stored file's
	name and path are never sent."""
	shared = queries.share_of(document)
	if not shared or not granted(shared.patient, section=DOCUMENTS_SECTION):
		not_available()
	file = frappe.get_doc("File", shared.file)
	try:
		content = file.get_content()
	except OSError:
		frappe.log_error(title=_("A shared document's file could not be read"), reference_doctype=DOCUMENT)
		frappe.throw(
			_("This document cannot be opened right now. Please ask your clinic."),
			exc=frappe.DoesNotExistError,
		)
	return private_download(download_filename(shared.title, file.file_name), content)
