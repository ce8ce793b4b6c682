"""Who may see which patient on the portal: always through an Active account grant, never by email."""

from datetime import date
from typing import Any

import frappe
from frappe import _
from frappe.utils import escape_html, getdate, today

from portal_onboarding.constants import (
	ACCOUNT,
	ADMIN_ROLES,
	CAN_ACCESS,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	SECTION,
	AccessType,
	AccountStatus,
)
from portal_onboarding.core.age_policy import Access, Representation, representative_access
from portal_onboarding.core.portal import Grant
from portal_onboarding.exceptions import InvalidAccount
from portal_onboarding.settings import age_policy

# What the age policy reads from each account (and the Patient's date of birth, read alongside).
REPRESENTATION_FIELDS = ["adult_proxy", "guardian_of_adult", "guardianship_until", "teen_assent_on"]


def is_portal_admin(user: str | None = None) -> bool:
	"""True for the roles that may grant portal access: System Manager and Portal Onboarding Manager."""
	return bool(set(frappe.get_roles(user)) & set(ADMIN_ROLES))


def portal_grants(user: str | None = None) -> list[frappe._dict]:
	"""The patients this login may act for, with the kind of access it holds on each."""
	user = user or frappe.session.user
	if user == "Guest":
		return []
	grants = frappe.get_all(
		ACCOUNT,
		filters={"user": user, "status": AccountStatus.ACTIVE},
		fields=[
			"name",
			"patient",
			"patient_name",
			"access_type",
			"access_valid_until",
			*REPRESENTATION_FIELDS,
		],
		order_by="patient_name asc",
	)
	births: dict[str, date | None] = dict(
		frappe.get_all(
			PATIENT,
			filters={"name": ("in", [g.patient for g in grants] or [""]), PORTAL_ACCESS_FIELD: CAN_ACCESS},
			fields=["name", "dob"],
			as_list=True,
		)
	)
	day = getdate(today())  # the site's time zone
	kept = []
	for g in grants:
		if g.patient not in births or (g.access_valid_until and getdate(g.access_valid_until) < day):
			continue
		if g.access_type == AccessType.REPRESENTATIVE:
			g.date_of_birth = getdate(births[g.patient]) if births[g.patient] else None
			if age_access(g, frozenset(), day).ended:
				continue
		kept.append(g)
	return kept


def representation(account: frappe._dict, sections: frozenset[str]) -> Representation:
	"""The age policy's view of a representative account read with REPRESENTATION_FIELDS and the
	Patient's `date_of_birth`."""
	return Representation(
		sections=sections,
		date_of_birth=account.date_of_birth,
		adult_proxy=bool(account.adult_proxy),
		guardian_of_adult=bool(account.guardian_of_adult),
		guardianship_until=getdate(account.guardianship_until) if account.guardianship_until else None,
		assent_recorded=bool(account.teen_assent_on),
	)


def age_access(account: frappe._dict, sections: frozenset[str], day: date) -> Access:
	return representative_access(representation(account, sections), day, age_policy())


def can_access_patient(patient: str, user: str | None = None) -> bool:
	return any(g.patient == patient for g in portal_grants(user))


def sections_by_account(accounts: list[str]) -> dict[str, frozenset[str]]:
	"""The sections each account's table permits, read in one query."""
	sections: dict[str, set[str]] = {name: set() for name in accounts}
	if accounts:
		for row in frappe.get_all(
			SECTION,
			filters={"parenttype": ACCOUNT, "parent": ("in", accounts)},
			fields=["parent", "portal_section"],
		):
			sections[row.parent].add(row.portal_section)
	return {name: frozenset(keys) for name, keys in sections.items()}


def grants_with_sections(user: str | None = None) -> list[Grant]:
	"""The login's grants with the sections each account permits (one query for all sections)."""
	grants = portal_grants(user)
	sections = sections_by_account([g.name for g in grants])
	day = getdate(today())
	result = []
	for g in grants:
		if g.access_type == AccessType.SELF:
			result.append(Grant(g.patient, sections[g.name], is_self=True))
			continue
		# The table says what an admin (or the patient) gave; the patient's age may narrow it today,
		# before the daily job stores the change.
		access = age_access(g, sections[g.name], day)
		result.append(Grant(g.patient, access.sections, awaiting_assent=access.awaiting_assent))
	return result


def granted(patient: str | None, user: str | None = None, section: str | None = None) -> bool:
	"""Whether the login holds an Active grant on `patient` (and, when given, one permitting `section`)."""
	if not patient:
		return False
	return any(
		grant.patient == patient and (section is None or section in grant.sections)
		for grant in grants_with_sections(user)
	)


# has_website_permission hooks. Frappe asks every app's hook and needs all of them to agree, so
# Marley's email match alone never shows a record: a grant is always required as well. A grant lets
# a login read (and print); nothing on the website writes these records (ptype: read is not write).
READ_PTYPES = (None, "read", "print")


def patient_website_permission(doc, ptype=None, user=None, verbose=False) -> bool:
	return ptype in READ_PTYPES and granted(doc.name, user)


def lab_test_website_permission(doc, ptype=None, user=None, verbose=False) -> bool:
	return ptype in READ_PTYPES and doc.docstatus == 1 and granted(doc.patient, user, "Lab Results")


def encounter_website_permission(doc, ptype=None, user=None, verbose=False) -> bool:
	return ptype in READ_PTYPES and doc.docstatus == 1 and granted(doc.patient, user, "Prescriptions")


def appointment_website_permission(doc, ptype=None, user=None, verbose=False) -> bool:
	return ptype in READ_PTYPES and granted(doc.patient, user, "Appointments")


def age_representation(account: Any, date_of_birth: Any) -> Representation:
	"""The age policy's view of a stored representative account and its Patient's date of birth."""
	facts = frappe._dict({field: account.get(field) for field in REPRESENTATION_FIELDS})
	facts.date_of_birth = getdate(date_of_birth) if date_of_birth else None
	return representation(facts, frozenset(row.portal_section for row in account.permitted_sections))


def ended_by_age(account: Any) -> bool:
	"""True for a representative whose access the patient's age ends today: an adult patient, no valid
	guardianship on file, and not a proxy the adult chose."""
	if account.access_type != AccessType.REPRESENTATIVE:
		return False
	dob = frappe.db.get_value(PATIENT, account.patient, "dob")
	return representative_access(age_representation(account, dob), getdate(today()), age_policy()).ended


def refuse_if_ended_by_age(account: Any) -> None:
	"""No new link and no reactivation for a parent whose access ended at the patient's majority."""
	if ended_by_age(account):
		frappe.throw(
			_(
				"Patient {0} is an adult, so this representative's access ended at the age of majority. "
				"Record a legal guardianship on this portal account first, or ask the patient to invite "
				"this person as their proxy."
			).format(frappe.bold(escape_html(account.patient_name or account.patient))),
			exc=InvalidAccount,
			title=_("Access ended by age"),
		)
