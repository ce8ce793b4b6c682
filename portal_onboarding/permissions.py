"""Who may see which patient on the portal: always through an Active account grant, never by email."""

import frappe
from frappe.utils import today

from portal_onboarding.constants import (
	ACCOUNT,
	ADMIN_ROLES,
	CAN_ACCESS,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	AccountStatus,
)


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
