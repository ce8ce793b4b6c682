"""Who may see which patient on the portal: always through an Active account grant, never by email."""

import frappe
from frappe.utils import today

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
from portal_onboarding.core.portal import Grant


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
		fields=["name", "patient", "patient_name", "access_type", "access_valid_until"],
		order_by="patient_name asc",
	)
	open_patients = set(
		frappe.get_all(
			PATIENT,
			filters={"name": ("in", [g.patient for g in grants] or [""]), PORTAL_ACCESS_FIELD: CAN_ACCESS},
			pluck="name",
		)
	)
	return [
		g
		for g in grants
		if g.patient in open_patients and (not g.access_valid_until or str(g.access_valid_until) >= today())
	]


def can_access_patient(patient: str, user: str | None = None) -> bool:
	return any(g.patient == patient for g in portal_grants(user))


def grants_with_sections(user: str | None = None) -> list[Grant]:
	"""The login's grants with the sections each account permits (one query for all sections)."""
	grants = portal_grants(user)
	sections: dict[str, set[str]] = {g.name: set() for g in grants}
	if grants:
		for row in frappe.get_all(
			SECTION,
			filters={"parenttype": ACCOUNT, "parent": ("in", list(sections))},
			fields=["parent", "portal_section"],
		):
			sections[row.parent].add(row.portal_section)
	return [Grant(g.patient, frozenset(sections[g.name]), g.access_type == AccessType.SELF) for g in grants]


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
