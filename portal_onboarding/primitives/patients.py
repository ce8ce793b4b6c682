"""A patient's facts as eligibility reads them, and the Self account that copies the Patient's contact
details."""

from typing import Any

import frappe
from frappe.utils import getdate

from portal_onboarding.constants import ACCOUNT, PATIENT, AccessType
from portal_onboarding.core.eligibility import (
	PatientFacts,
	check_eligibility,
	check_invitation,
	in_person_rules,
	normalise_email,
)
from portal_onboarding.core.messages import Reason
from portal_onboarding.core.status import check_transition
from portal_onboarding.settings import eligibility_rules

# The ZIP code `home_zip` reads: the primary address's, else that of the only address.
# Kept on the Patient (HOME_ZIP_FIELD) by the Address hooks; this computes it for all at once.
HOME_ZIP_SQL = """(
	select nullif(if(max(adr.is_primary_address) = 1,
		substring_index(group_concat(ifnull(adr.pincode, '')
			order by adr.is_primary_address desc, adr.creation asc separator '\\n'), '\\n', 1),
		if(count(*) = 1, max(ifnull(adr.pincode, '')), '')), '')
	from `tabDynamic Link` dl join `tabAddress` adr on adr.name = dl.parent
	where dl.link_doctype = 'Patient' and dl.link_name = `tabPatient`.name and dl.parenttype = 'Address'
		and adr.disabled = 0
)"""


def home_zip(patient: str) -> str | None:
	"""The ZIP code of the patient's primary address, else of their only address."""
	addresses = frappe.get_all(
		"Address",
		filters=[
			["Dynamic Link", "link_doctype", "=", PATIENT],
			["Dynamic Link", "link_name", "=", patient],
			["disabled", "=", 0],
		],
		fields=["pincode", "is_primary_address"],
		order_by="`tabAddress`.is_primary_address desc, `tabAddress`.creation asc",
	)
	if not addresses:
		return None
	if addresses[0].is_primary_address or len(addresses) == 1:
		return addresses[0].pincode
	return None


def patient_facts(patient_doc: Any, email: str | None = None) -> PatientFacts:
	return PatientFacts(
		email=email if email is not None else patient_doc.email,
		home_zip=home_zip(patient_doc.name),
		date_of_birth=getdate(patient_doc.dob) if patient_doc.dob else None,
	)


def eligibility_reasons(
	patient_doc: Any, email: str | None = None, in_person: bool = False
) -> tuple[Reason, ...]:
	"""Why the patient may not have portal access; `in_person`: for credentials an admin hands over."""
	rules = in_person_rules(eligibility_rules()) if in_person else eligibility_rules()
	return check_eligibility(patient_facts(patient_doc, email), rules).reasons


def invitation_reasons(patient_doc: Any) -> tuple[Reason, ...]:
	"""Why no invitation can be mailed to the patient (a missing email says how to do without one)."""
	return check_invitation(patient_facts(patient_doc), eligibility_rules()).reasons


def set_status(account: Any, status: str) -> None:
	"""Move an account to `status` when the move is legal and not a no-op."""
	if account.status != status and check_transition(account.status, status) is None:
		account.status = status


def find_or_create_account(match: dict[str, Any], values: dict[str, Any]) -> Any:
	"""The account matching `match`, else a new one (Not Enabled) from `match` and `values`."""
	name = frappe.db.get_value(ACCOUNT, match)
	if name:
		return frappe.get_doc(ACCOUNT, name)
	return frappe.get_doc({"doctype": ACCOUNT, **match, **values}).insert(ignore_permissions=True)


def patient_contact(patient_doc: Any) -> dict[str, Any]:
	"""The details a Self account copies from its Patient."""
	return {
		"first_name": patient_doc.first_name,
		"last_name": patient_doc.last_name,
		"contact_email": normalise_email(patient_doc.email),
		"contact_mobile": patient_doc.mobile,
	}


def self_account(patient_doc: Any) -> Any:
	"""The patient's own account, created when missing, with the Patient's current contact details."""
	account = find_or_create_account(
		{"patient": patient_doc.name, "access_type": AccessType.SELF}, patient_contact(patient_doc)
	)
	refresh_self_contact(account, patient_doc)
	return account


def refresh_self_contact(account: Any, patient_doc: Any) -> None:
	"""Copy the Patient's contact details onto its Self account, so mail never goes to an old address."""
	if account.access_type != AccessType.SELF:
		return
	current = patient_contact(patient_doc)
	if any((account.get(field) or None) != value for field, value in current.items()):
		account.update(current)
		account.save(ignore_permissions=True)


def patient_contact_row(patient: str) -> Any:
	"""The Patient's name and contact details, read under the lock (not the whole document)."""
	return frappe.db.get_value(
		"Patient",
		patient,
		["name", "first_name", "last_name", "email", "mobile"],
		as_dict=True,
		for_update=True,
	)
