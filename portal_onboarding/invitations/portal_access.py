"""Turning a patient's portal access on and off, and what each account may see."""

from typing import Any

import frappe
from frappe import _

from portal_onboarding.constants import (
	ACCOUNT,
	CAN_ACCESS,
	NO_ACCESS,
	PORTAL_ACCESS_FIELD,
	PORTAL_REASON_FIELD,
	AccountStatus,
	EventType,
)
from portal_onboarding.core.validation import check_sections
from portal_onboarding.exceptions import InvalidAccount, NotEligible, throw_reasons
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.links import revoke_live_invitations, revoke_live_resets
from portal_onboarding.primitives.locks import lock_patient, lock_patient_row
from portal_onboarding.primitives.logins import retire_user_if_unused
from portal_onboarding.primitives.patients import eligibility_reasons, self_account, set_status
from portal_onboarding.primitives.status import refresh_portal_status
from portal_onboarding.security.actions import app_action

# What other capabilities may use; the rest of this module is the capability's own.
__all__ = ["delete_account", "disable", "enable", "enable_locked", "set_permitted_sections"]


@app_action
def enable(patient: str, in_person: bool = False) -> Any:
	"""Give the patient portal access: eligibility first, then the toggle and an Enabled Self account.

	`in_person`: a portal admin enables for credentials handed over in person (Set credentials), so
	the patient needs no email; the home ZIP code and identity rules still apply.
	"""
	return enable_locked(lock_patient(patient), in_person)


def enable_locked(patient_doc: Any, in_person: bool = False) -> Any:
	"""`enable` for a Patient its caller has already locked and read."""
	patient = patient_doc.name
	throw_reasons(
		eligibility_reasons(patient_doc, in_person=in_person),
		NotEligible,
		_("Portal access cannot be enabled"),
	)
	account = self_account(patient_doc)
	patient_doc.db_set(PORTAL_REASON_FIELD, None, update_modified=False)
	was_enabled = patient_doc.get(PORTAL_ACCESS_FIELD) == CAN_ACCESS
	if not was_enabled:
		patient_doc.db_set(PORTAL_ACCESS_FIELD, CAN_ACCESS, update_modified=False)
		log_event(
			EventType.PORTAL_ENABLED,
			account.name,
			patient,
			_("For credentials given in person") if in_person else None,
		)
	if account.status == AccountStatus.NOT_ENABLED:
		# Only a disabled account is enabled: an invited, active or suspended one keeps its state.
		account.status = AccountStatus.ENABLED
	account.save(ignore_permissions=True)  # its on_update refreshes the patient's portal status
	return account


@app_action
def disable(patient: str) -> list[str]:
	"""Take portal access away: every account on the patient, its live links and its sessions."""
	patient_doc = lock_patient(patient)
	patient_doc.db_set(PORTAL_ACCESS_FIELD, NO_ACCESS, update_modified=False)
	accounts = frappe.get_all(ACCOUNT, filters={"patient": patient}, pluck="name")

	for name in accounts:
		account = frappe.get_doc(ACCOUNT, name)
		revoke_live_invitations(account.name, _("Portal access was disabled."))
		revoke_live_resets(account.name, _("Portal access was disabled."))
		set_status(account, AccountStatus.NOT_ENABLED)
		account.save(ignore_permissions=True)
		if account.user:
			retire_user_if_unused(account.user)
	log_event(EventType.PORTAL_DISABLED, accounts[0] if accounts else None, patient)
	refresh_portal_status(patient)
	return accounts


@app_action
def set_permitted_sections(account_name: str, sections: list[str]) -> Any:
	"""Replace the account's permitted sections; unknown or repeated keys are refused, not dropped."""
	reason = check_sections(sections)
	throw_reasons([reason] if reason else [], InvalidAccount)
	lock_patient_row(frappe.db.get_value(ACCOUNT, account_name, "patient"))
	account = frappe.get_doc(ACCOUNT, account_name, for_update=True)
	account.set("permitted_sections", [{"portal_section": s} for s in sections])
	account.save(ignore_permissions=True)
	return account


@app_action
def delete_account(account_name: str) -> None:
	"""Delete an account, the patient's row locked first as for every access change.

	The doctype grants no delete permission: Frappe's own delete would lock the account row before
	the patient's and could deadlock against an invite or a disable.
	"""
	lock_patient_row(frappe.db.get_value(ACCOUNT, account_name, "patient"))
	frappe.delete_doc(ACCOUNT, account_name, ignore_permissions=True)
