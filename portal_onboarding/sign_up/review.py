"""The staff side of the sign-up: link a waiting request to a Patient (or create one), approve, reject."""

from typing import Any

import frappe
from frappe import _
from frappe.utils import now_datetime

from portal_onboarding.constants import PATIENT, REGISTRATION, Channel, EventType, RegistrationStatus
from portal_onboarding.core.eligibility import email_changed
from portal_onboarding.core.registration import check_review
from portal_onboarding.exceptions import InvalidInvitation, throw_reasons
from portal_onboarding.invitations.sending import invite
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.locks import lock_patient
from portal_onboarding.security.actions import app_action
from portal_onboarding.sign_up.requests import mail


def lock_request(name: str) -> Any:
	"""The request read under its lock; every review action takes it before the patient's."""
	if not frappe.db.exists(REGISTRATION, name):
		frappe.throw(
			_("Sign-up request {0} does not exist.").format(frappe.bold(name)), exc=frappe.DoesNotExistError
		)
	return frappe.get_doc(REGISTRATION, name, for_update=True)


def refuse(reason: Any) -> None:
	throw_reasons([reason] if reason else [], InvalidInvitation, _("Sign-up request"))


@app_action
def approve(name: str) -> Any:
	"""Invite the linked Patient at the confirmed address; the invitation mail tells the person."""
	request = lock_request(name)
	refuse(check_review(request.status, request.patient, approve=True))
	patient = lock_patient(request.patient)
	if not patient.email:
		# The person proved this address by following the link: it becomes the patient's email.
		patient.email = request.email
		patient.save(ignore_permissions=True)
	elif email_changed(patient.email, request.email):
		frappe.throw(
			_(
				"The Patient's email on file ({0}) is not the address this person confirmed ({1}). "
				"If the request is genuine, correct the Patient's email first, then approve."
			).format(frappe.bold(patient.email), frappe.bold(request.email)),
			exc=InvalidInvitation,
			title=_("Sign-up request"),
		)
	account, invitation = invite(patient.name, channel=Channel.EMAIL)
	request.update(
		{
			"status": RegistrationStatus.APPROVED,
			"account": account.name,
			"invitation": invitation.name,
			"reviewed_by": frappe.session.user,
			"reviewed_on": now_datetime(),
		}
	)
	request.save(ignore_permissions=True)
	log_event(
		EventType.SIGN_UP_APPROVED,
		account.name,
		patient.name,
		_("Sign-up {0} approved; invitation {1} to {2}").format(name, invitation.name, request.email),
	)
	return request


@app_action
def reject(name: str, reason: str) -> Any:
	"""Close the request with the reason, which the person receives by email."""
	request = lock_request(name)
	refuse(check_review(request.status, request.patient, approve=False, reason=reason))
	reason = reason.strip()
	request.update(
		{
			"status": RegistrationStatus.REJECTED,
			"rejection_reason": reason,
			"reviewed_by": frappe.session.user,
			"reviewed_on": now_datetime(),
		}
	)
	request.save(ignore_permissions=True)
	mail(
		request,
		_("Your {0} patient portal sign-up"),
		"portal_onboarding/templates/emails/portal_sign_up_rejected.html",
		{"reason": reason},
	)
	log_event(EventType.SIGN_UP_REJECTED, None, request.patient, _("Sign-up {0}: {1}").format(name, reason))
	return request


@app_action
def create_patient(name: str, sex: str, address_line1: str, city: str, country: str | None = None) -> str:
	"""A Patient (and home address) from what the person typed, linked to the waiting request."""
	request = lock_request(name)
	if request.status != RegistrationStatus.AWAITING_REVIEW:
		refuse(check_review(request.status, None, approve=True))
	if request.patient:
		frappe.throw(
			_("This request is already linked to Patient {0}.").format(frappe.bold(request.patient)),
			exc=InvalidInvitation,
			title=_("Sign-up request"),
		)
	missing = [
		label
		for label, value in ((_("Gender"), sex), (_("Address Line 1"), address_line1), (_("City"), city))
		if not (value or "").strip()
	]
	if missing:
		frappe.throw(
			_("Please fill in: {0}.").format(", ".join(missing)),
			exc=InvalidInvitation,
			title=_("Sign-up request"),
		)
	patient = frappe.get_doc(
		{
			"doctype": PATIENT,
			"first_name": request.first_name,
			"last_name": request.last_name,
			"sex": sex,
			"dob": request.date_of_birth,
			"email": request.email,
			"language": request.language,
		}
	).insert()
	frappe.get_doc(
		{
			"doctype": "Address",
			"address_title": patient.patient_name,
			"address_type": "Personal",
			"address_line1": address_line1.strip(),
			"city": city.strip(),
			"country": country or frappe.db.get_default("country"),
			"pincode": request.home_zip,
			"is_primary_address": 1,
			"links": [{"link_doctype": PATIENT, "link_name": patient.name}],
		}
	).insert(ignore_permissions=True)
	request.patient = patient.name
	request.patient_name = patient.patient_name
	request.save(ignore_permissions=True)
	return patient.name
