"""What a signed-in portal login may do: pick the patient it looks at, and correct its own contacts."""

import frappe
from frappe import _

from portal_onboarding.core.eligibility import email_changed, is_valid_email, normalise_email
from portal_onboarding.permissions import grants_with_sections
from portal_onboarding.portal.context import current_grant, remember_patient
from portal_onboarding.security.ratelimit import count

CONTACT_CHANGES_PER_HOUR = 10


def not_available() -> None:
	# The same refusal whether the patient exists or not.
	frappe.throw(_("This part of the portal is not available to you."), frappe.PermissionError)


@frappe.whitelist(methods=["POST"])
def choose_patient(patient: str) -> dict:
	"""Look at another patient this login holds a grant on; nothing else can be chosen."""
	if not any(grant.patient == patient for grant in grants_with_sections()):
		not_available()
	remember_patient(patient)
	return {"ok": True}


@frappe.whitelist(methods=["POST"])
def update_contact(email: str | None = None, mobile: str | None = None) -> dict:
	"""A patient's own (Self) login corrects the patient's email and mobile. A new email goes through
	the email-change guard: the account waits for the new address to be confirmed."""
	grant = current_grant(grants_with_sections())
	if grant is None or not grant.is_self:
		not_available()
	count(f"update_contact:{frappe.session.user}", CONTACT_CHANGES_PER_HOUR)
	email = normalise_email(email) or ""
	mobile = (mobile or "").strip()
	if email and not is_valid_email(email):
		return {"ok": False, "message": _("Please enter a valid email address.")}
	if not email:
		return {"ok": False, "message": _("Please keep an email address: the portal needs one to reach you.")}
	patient = frappe.get_doc("Patient", grant.patient)
	changed = email_changed(patient.email, email)
	patient.email = email
	patient.mobile = mobile or None
	patient.flags.ignore_permissions = True
	patient.save(ignore_permissions=True)
	return {
		"ok": True,
		"email_changed": changed,
		"redirect_to": "/login" if changed else "/portal/personal-details",
	}
