"""Sign-up on the portal: guests register and confirm their email; managers review what waits."""

import frappe
from frappe import _
from frappe.utils import getdate

from portal_onboarding.api.account import check_admin, require_portal_admin
from portal_onboarding.constants import REGISTRATION
from portal_onboarding.core.eligibility import normalise_email
from portal_onboarding.core.registration import SignUpForm, check_sign_up
from portal_onboarding.exceptions import reason_text
from portal_onboarding.invitations.activation import invalid_link_message
from portal_onboarding.security.ratelimit import DAY_SECONDS, limit_client, limit_guest
from portal_onboarding.sign_up import requests, review

# Guest budgets per hour: per client address, and per email address (or per link).
LIMITS = {"register": (20, 3), "verify_sign_up": (100, 10)}
# Sign-ups kept per client address (an IPv6 /64) a day: far below the site-wide daily cap
# (requests.MAX_UNCONFIRMED_PER_DAY), so no one client can pause sign-up for everyone.
SIGN_UPS_PER_CLIENT_PER_DAY = 50


def sent_message() -> str:
	"""The one answer to every acceptable sign-up, whoever the address belongs to."""
	return _(
		"Thank you. If the address is right, you will receive an email with a link to confirm it. "
		"Please follow the link to finish signing up."
	)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def register(
	first_name: str | None = None,
	last_name: str | None = None,
	date_of_birth: str | None = None,
	home_zip: str | None = None,
	email: str | None = None,
) -> dict:
	"""Keep a pending request and mail its link; the answer never says who exists."""
	limit_guest("register", normalise_email(email) or "", *LIMITS["register"])
	form = SignUpForm(first_name, last_name, date_of_birth, home_zip, email)
	details, reasons = check_sign_up(form, getdate())
	if details is None:
		return {"ok": False, "errors": {r.code: reason_text(r) for r in reasons}}
	# Counted once the form is good, so typing mistakes do not use up a day's sign-ups.
	limit_client("register_daily", SIGN_UPS_PER_CLIENT_PER_DAY, DAY_SECONDS)
	requests.submit(details)
	return {"ok": True, "message": sent_message()}


@frappe.whitelist(allow_guest=True, methods=["POST"])
def verify_sign_up(key: str) -> dict:
	"""Follow the mailed link: the portal opens for the matched patient, or the request waits for staff."""
	limit_guest("verify_sign_up", key, *LIMITS["verify_sign_up"])
	request = requests.find(key, lock=True)
	if request is None:
		return {"ok": False, "invalid_link": True, "message": invalid_link_message()}
	return requests.verify(request)


def reviewable(name: str) -> None:
	require_portal_admin()
	frappe.has_permission(REGISTRATION, "write", name, throw=True)


@frappe.whitelist(methods=["POST"])
def approve(registration: str) -> dict:
	"""Invite the Patient the request is linked to, at the address the person confirmed."""
	reviewable(registration)
	patient = frappe.db.get_value(REGISTRATION, registration, "patient")
	if patient:
		check_admin(patient)
	request = review.approve(registration)
	return {"status": request.status, "account": request.account, "invitation": request.invitation}


@frappe.whitelist(methods=["POST"])
def reject(registration: str, reason: str | None = None) -> dict:
	"""Close the request; the person is told the reason by email."""
	reviewable(registration)
	return {"status": review.reject(registration, reason or "").status}


@frappe.whitelist(methods=["POST"])
def create_patient(
	registration: str, sex: str, address_line1: str, city: str, country: str | None = None
) -> dict:
	"""A new Patient from the request, for a person the clinic does not have on file yet."""
	reviewable(registration)
	frappe.has_permission("Patient", "create", throw=True)
	return {"patient": review.create_patient(registration, sex, address_line1, city, country)}
