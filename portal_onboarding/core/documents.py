"""Rules of documents shared with the patient portal: which attachments staff may share and for which
patient, and how a shared document is named and sized for the person who downloads it."""

import re
import unicodedata
from dataclasses import dataclass

from portal_onboarding.constants import PATIENT
from portal_onboarding.core.messages import Reason, _

DOCUMENTS_SECTION = "Documents"
MAX_TITLE = 140
MAX_FILENAME = 100

# Records of care whose attachments may be shared: each names its patient in a `patient` Link. Billing
# (the Invoices section), scheduling fees, orders and ward workflow (service requests, nursing tasks,
# medication entries) are left out: they are the clinic's paperwork, not the patient's documents.
CLINICAL_RECORDS = (
	"Patient Encounter",
	"Lab Test",
	"Vital Signs",
	"Clinical Procedure",
	"Patient Appointment",
	"Patient Medical Record",
	"Clinical Note",
	"Diagnostic Report",
	"Observation",
	"Patient Assessment",
	"Therapy Plan",
	"Therapy Session",
	"Inpatient Record",
)
SHAREABLE_DOCTYPES = (PATIENT, *CLINICAL_RECORDS)
CANCELLED = 2


@dataclass(frozen=True)
class Attachment:
	"""What the Frappe side found about a File staff want to share, and the record it is attached to."""

	is_folder: bool
	attached_to_doctype: str | None
	attached_to_name: str | None
	record_exists: bool
	# The Patient the record names (for a file on a Patient, that Patient itself).
	record_patient: str | None
	record_docstatus: int = 0


def is_shareable_doctype(doctype: str | None) -> bool:
	return doctype in SHAREABLE_DOCTYPES


def check_share(attachment: Attachment) -> list[Reason]:
	"""Every reason the file cannot be shared; empty when it can (its patient is `record_patient`)."""
	a = attachment
	if a.is_folder:
		return [Reason("folder", _("A folder cannot be shared with the patient portal: pick a file."))]
	if not a.attached_to_doctype or not a.attached_to_name:
		return [
			Reason(
				"not_attached",
				_(
					"This file is not attached to any record. Attach it to the Patient or to one of the "
					"patient's clinical records first, then share it."
				),
			)
		]
	if not is_shareable_doctype(a.attached_to_doctype):
		return [
			Reason(
				"not_clinical",
				_(
					"Only a file attached to a Patient or to one of the patient's clinical records ({0}) "
					"can be shared with the patient portal; this one is attached to a {1}."
				),
				(", ".join(CLINICAL_RECORDS), a.attached_to_doctype),
			)
		]
	if not a.record_exists:
		return [
			Reason(
				"record_missing",
				_("The record this file is attached to ({0} {1}) no longer exists."),
				(a.attached_to_doctype, a.attached_to_name),
			)
		]
	if not a.record_patient:
		return [
			Reason(
				"no_patient",
				_("{0} {1} names no patient, so its files cannot be shared with the patient portal."),
				(a.attached_to_doctype, a.attached_to_name),
			)
		]
	if a.record_docstatus == CANCELLED:
		return [
			Reason(
				"cancelled",
				_("{0} {1} is cancelled: the files of a cancelled record are not shared."),
				(a.attached_to_doctype, a.attached_to_name),
			)
		]
	return []


def clean_title(title: str | None, file_name: str | None) -> str:
	"""The title the portal shows: what staff typed (spaces tidied), else the file's name."""
	text = " ".join((title or "").split()) or " ".join((file_name or "").split()) or "Document"
	return text[:MAX_TITLE]


def human_size(size: int | None, decimal_separator: str = ".") -> str:
	"""A file size as a person reads it: 512 B, 1.5 KB, 20 KB, 2.4 MB (units of 1,024)."""
	value = float(max(size or 0, 0))
	units = ("B", "KB", "MB", "GB", "TB")
	unit = 0
	while value >= 1024 and unit < len(units) - 1:
		value /= 1024
		unit += 1
	if unit == 0:
		return f"{int(value)} B"
	text = f"{value:.1f}" if value < 10 else f"{round(value):d}"
	if text.endswith(".0"):
		text = text[:-2]
	return f"{text.replace('.', decimal_separator)} {units[unit]}"


_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()\-]+")
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,10})$")


def download_filename(title: str | None, file_name: str | None) -> str:
	"""The name a download is saved under: the title in plain ASCII (accents kept as their letters)
	with the stored file's extension, so neither the stored name nor its path is revealed or needed."""
	match = _EXTENSION.search(file_name or "")
	extension = f".{match.group(1).lower()}" if match else ""
	ascii_title = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode("ascii")
	base = " ".join(_UNSAFE.sub("_", ascii_title).split()).strip(" ._") or "document"
	if extension and base.lower().endswith(extension):
		base = base[: -len(extension)].rstrip(" ._") or "document"
	return base[: MAX_FILENAME - len(extension)] + extension
