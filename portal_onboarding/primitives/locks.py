"""Row locks in the one order every access change takes: the Patient's row first, then its account,
invitation or reset rows, so two admins, a double click, the pages and the jobs wait in line instead of
deadlocking."""

from typing import Any

import frappe
from frappe import _

from portal_onboarding.constants import ACCOUNT, INVITATION, PATIENT


def lock_patient_row(patient: str) -> bool:
	"""Lock the patient's row; False when there is no such patient.

	Every access change takes this lock first, before any account or invitation row, so two admins,
	a double click, the activation page and background jobs wait in line instead of deadlocking.
	"""
	return bool(patient and frappe.db.get_value(PATIENT, patient, "name", for_update=True))


def lock_patient(patient: str) -> Any:
	"""Lock the patient's row and return the Patient as committed, read under the lock."""
	if not lock_patient_row(patient):
		frappe.throw(
			_("Patient {0} does not exist.").format(frappe.bold(patient)), exc=frappe.DoesNotExistError
		)
	return frappe.get_doc(PATIENT, patient, for_update=True)


def lock_account(account_name: str) -> Any:
	"""The account read under its lock, its patient's row locked first (the one lock order)."""
	patient = frappe.db.get_value(ACCOUNT, account_name, "patient")
	if not patient:
		frappe.throw(
			_("Portal account {0} does not exist.").format(frappe.bold(account_name)),
			exc=frappe.DoesNotExistError,
		)
	if not lock_patient_row(patient):
		frappe.throw(
			_("The patient of portal account {0} no longer exists.").format(frappe.bold(account_name)),
			exc=frappe.DoesNotExistError,
		)
	return frappe.get_doc(ACCOUNT, account_name, for_update=True)


def lock_invitation(invitation_name: str) -> Any | None:
	"""The invitation read under its lock, its patient's row locked first (the one lock order)."""
	patient = frappe.db.get_value(INVITATION, invitation_name, "patient")
	if patient is None or not lock_patient_row(patient):
		return None  # deleted with its account (or patient) before the job ran
	return frappe.get_doc(INVITATION, invitation_name, for_update=True)
