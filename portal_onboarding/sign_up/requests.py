"""The guest side of the portal's sign-up: a pending request and its mailed link, then the verdict.

Until the link in the mail is followed, nothing exists but the request: no Patient, account or login.
"""

from datetime import timedelta
from typing import Any

import frappe
from frappe import _
from frappe.utils import format_datetime, getdate, now_datetime

from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	HOME_ZIP_FIELD,
	PATIENT,
	REGISTRATION,
	AccountStatus,
	EventType,
	RegistrationStatus,
)
from portal_onboarding.core.registration import Candidate, PortalHistory, SignUpDetails, decide, undecided
from portal_onboarding.core.status import check_transition
from portal_onboarding.core.tokens import issue_token
from portal_onboarding.invitations.portal_access import enable_locked
from portal_onboarding.invitations.sending import confirmed_invitation
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.links import find_live_link
from portal_onboarding.primitives.locks import lock_patient
from portal_onboarding.primitives.patients import eligibility_reasons
from portal_onboarding.security.actions import app_action
from portal_onboarding.security.mail import clinic_name, in_language
from portal_onboarding.security.mail import render as render_mail
from portal_onboarding.security.mail import send as send_mail
from portal_onboarding.security.mailed_links import guest_link
from portal_onboarding.settings import get_settings

SIGN_UP_PATH = "/portal/register"
# Unconfirmed requests the site keeps from one day: past it, sign-ups pause (and the clinic is told)
# rather than let a flood fill the table. Per-address and per-client limits come first.
MAX_UNCONFIRMED_PER_DAY = 1000
# Unconfirmed requests hold what a stranger typed: they go a week after their link expired.
UNCONFIRMED_KEPT_DAYS = 7

R = RegistrationStatus


def lifetime_hours() -> int:
	return int(get_settings().invitation_lifetime_hours)


@app_action
def submit(details: SignUpDetails) -> str | None:
	"""Keep a pending request and mail its link; returns its name (None when sign-ups are paused).

	One pending request per address: a new sign-up replaces the older one's link. Nothing is kept
	or sent while no portal address is configured (`security.mailed_links`).
	"""
	now = now_datetime()
	issued = issue_token(now, lifetime_hours())
	link = guest_link(SIGN_UP_PATH, issued.token)
	if link is None:
		return None
	for name in frappe.get_all(
		REGISTRATION, filters={"email": details.email, "status": R.PENDING_VERIFICATION}, pluck="name"
	):
		frappe.db.set_value(REGISTRATION, name, {"status": R.EXPIRED, "token_hash": None})
	recent = frappe.db.count(
		REGISTRATION,
		{"status": R.PENDING_VERIFICATION, "creation": (">", now - timedelta(days=1))},
	)
	if recent >= MAX_UNCONFIRMED_PER_DAY:
		frappe.log_error(
			title=_("Portal sign-ups paused"),
			message=_("{0} unconfirmed sign-up requests in one day: new ones are not kept.").format(recent),
		)
		return None
	request = frappe.get_doc(
		{
			"doctype": REGISTRATION,
			"first_name": details.first_name,
			"last_name": details.last_name,
			"date_of_birth": details.date_of_birth,
			"home_zip": details.home_zip,
			"email": details.email,
			"language": frappe.local.lang,
			"status": R.PENDING_VERIFICATION,
			"requested_on": now,
			"token_hash": issued.token_hash,
			"expires_on": issued.expires_on,
		}
	).insert(ignore_permissions=True)
	mail(
		request,
		_("Confirm your email for the {0} patient portal"),
		"portal_onboarding/templates/emails/portal_sign_up_confirm.html",
		{"link": link, "expires_on": format_datetime(issued.expires_on)},
	)
	return request.name


def mail(request: Any, subject: str, template: str, context: dict[str, Any]) -> None:
	"""Mail the person behind a request, in the language they signed up in."""
	with in_language(request.language):
		clinic = clinic_name()
		message = render_mail(template, {"first_name": request.first_name, "clinic_name": clinic, **context})
		subject = _(subject).format(clinic)
	send_mail([request.email], subject, message, REGISTRATION, request.name)


def find(key: str | None, lock: bool = False) -> Any | None:
	"""The pending request this key confirms, or None for any kind of bad key (one answer for all)."""
	request = find_live_link(REGISTRATION, key, R.PENDING_VERIFICATION)
	if request is None or not lock:
		return request
	request = frappe.get_doc(REGISTRATION, request.name, for_update=True)
	return request if request.status == R.PENDING_VERIFICATION and request.token_hash else None


def details_of(request: Any) -> SignUpDetails:
	return SignUpDetails(
		request.first_name, request.last_name, getdate(request.date_of_birth), request.home_zip, request.email
	)


def history_of(patient_doc: Any) -> PortalHistory:
	"""What the clinic has decided about this patient's portal access (see `core.registration`)."""
	last_switch = frappe.get_all(
		EVENT,
		filters={
			"patient": patient_doc.name,
			"event_type": ("in", (EventType.PORTAL_ENABLED, EventType.PORTAL_DISABLED)),
		},
		pluck="event_type",
		order_by="timestamp desc, creation desc",
		limit=1,
	)
	accounts = frappe.get_all(
		ACCOUNT, filters={"patient": patient_doc.name}, fields=["access_type", "status", "user"]
	)
	return PortalHistory(
		patient_active=patient_doc.status == "Active",
		eligible=not eligibility_reasons(patient_doc),
		disabled_by_admin=last_switch == [EventType.PORTAL_DISABLED],
		marley_login=bool(patient_doc.get("user_id"))
		and not any(a.user == patient_doc.user_id for a in accounts),
		accounts=tuple((a.access_type, a.status, bool(a.user)) for a in accounts),
	)


def available(patient_doc: Any) -> bool:
	"""Whether a sign-up may open this patient without staff: nobody has decided on it yet."""
	return undecided(history_of(patient_doc))


def candidates(details: SignUpDetails) -> list[Candidate]:
	"""Patients with this date of birth and email (the index narrows; the core compares exactly)."""
	rows = frappe.get_all(
		PATIENT,
		filters={"dob": details.date_of_birth, "email": details.email},
		fields=["name", "email", "dob", HOME_ZIP_FIELD],
		limit=20,
	)
	return [
		Candidate(
			row.name,
			row.email,
			row.get(HOME_ZIP_FIELD),
			getdate(row.dob) if row.dob else None,
			available(frappe.get_doc(PATIENT, row.name)),
		)
		for row in rows
	]


@app_action
def verify(request: Any) -> dict[str, Any]:
	"""Confirm the request read under its lock: open the portal for its one patient, or queue it.

	The link works once. When the portal opens, the page gets a fresh invitation key in the answer
	(never in a URL), with the identity check already passed: the person typed the patient's date of
	birth and ZIP code, and proved the address by following the link.
	"""
	now = now_datetime()
	request.verified_on = now
	request.token_hash = None
	details = details_of(request)
	decision = decide(details, candidates(details), bool(get_settings().auto_enable_verified_sign_up))
	log_event(
		EventType.SIGN_UP_VERIFIED,
		None,
		decision.patient,
		_("Sign-up {0} from {1}").format(request.name, request.email),
	)
	opened = open_portal(request, decision.patient) if decision.patient else None
	if opened:
		request.save(ignore_permissions=True)
		return {"ok": True, "next": "credentials", **opened}
	request.status = R.AWAITING_REVIEW
	request.wait_reason = decision.wait_reason
	request.save(ignore_permissions=True)
	return {"ok": True, "next": "review"}


def open_portal(request: Any, patient: str) -> dict[str, str] | None:
	"""Enable the patient and give the person a live, already-confirmed invitation; None if it cannot."""
	patient_doc = lock_patient(patient)
	if not available(patient_doc):  # changed since the candidates were read
		return None
	account = enable_locked(patient_doc)
	if check_transition(account.status, AccountStatus.INVITED) is not None:
		return None
	now = now_datetime()
	invitation, key = confirmed_invitation(account, request.email, now, lifetime_hours())
	log_event(
		EventType.SIGN_UP_APPROVED,
		account.name,
		patient,
		_("Sign-up {0} matched this patient; the person chooses a login through invitation {1}").format(
			request.name, invitation.name
		),
	)
	request.update(
		{
			"status": R.APPROVED,
			"auto_approved": 1,
			"patient": patient,
			"account": account.name,
			"invitation": invitation.name,
			"reviewed_on": now,
		}
	)
	return {"key": key, "username": account.username}


@app_action
def expire_overdue() -> None:
	"""Unconfirmed requests past their link's expiry turn Expired; a week later they are deleted."""
	now = now_datetime()
	for name in frappe.get_all(
		REGISTRATION,
		filters={"status": R.PENDING_VERIFICATION, "expires_on": ("<=", now)},
		pluck="name",
	):
		frappe.db.set_value(REGISTRATION, name, {"status": R.EXPIRED, "token_hash": None})
	for name in frappe.get_all(
		REGISTRATION,
		filters={
			"status": R.EXPIRED,
			"verified_on": ("is", "not set"),
			"expires_on": ("<=", now - timedelta(days=UNCONFIRMED_KEPT_DAYS)),
		},
		pluck="name",
	):
		frappe.delete_doc(REGISTRATION, name, ignore_permissions=True, force=True)
