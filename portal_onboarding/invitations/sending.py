"""Inviting a patient or a representative: the account, its one live link, and the delivery queued after
commit; the admin-side flow shared by the API, the Patient hooks, sign-up, bulk batches and jobs."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime, today

from portal_onboarding.constants import (
	ACCOUNT,
	CAN_ACCESS,
	INVITATION,
	PORTAL_ACCESS_FIELD,
	PORTAL_REASON_FIELD,
	RELATIONS,
	AccessType,
	AccountStatus,
	Channel,
	EventType,
	InvitationStatus,
)
from portal_onboarding.core.age_policy import Stage, default_proxy_end, stage_on
from portal_onboarding.core.eligibility import is_valid_email
from portal_onboarding.core.status import check_transition
from portal_onboarding.core.tokens import expiry, issue_token
from portal_onboarding.exceptions import InvalidInvitation, NotEligible, throw_reasons
from portal_onboarding.invitations.portal_access import enable_locked
from portal_onboarding.permissions import refuse_if_ended_by_age
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.links import account_invitations, revoke_live_invitations
from portal_onboarding.primitives.locks import lock_patient, lock_patient_row
from portal_onboarding.primitives.patients import (
	eligibility_reasons,
	find_or_create_account,
	invitation_reasons,
)
from portal_onboarding.security.actions import app_action
from portal_onboarding.settings import age_policy, get_settings, proxy_max_months

# What other capabilities may use; the rest of this module is the capability's own.
__all__ = ["Representative", "active_account", "confirmed_invitation", "invite", "reverify"]

S = AccountStatus


@dataclass(frozen=True)
class Representative:
	"""The parent or carer an admin invites to act for a patient."""

	first_name: str
	last_name: str
	email: str
	mobile: str
	relation: str

	@classmethod
	def from_dict(cls, values: dict[str, Any]) -> "Representative":
		def text(key: str) -> str:
			return str(values.get(key) or "").strip()

		rep = cls(
			text("first_name"), text("last_name"), text("email").lower(), text("mobile"), text("relation")
		)
		missing = [
			label
			for label, value in ((_("First Name"), rep.first_name), (_("Email"), rep.email))
			if not value
		]
		if missing:
			frappe.throw(
				_("The representative's {0} is required.").format(", ".join(missing)), exc=InvalidInvitation
			)
		if not is_valid_email(rep.email):
			frappe.throw(
				_("The representative's email address {0} is not valid.").format(frappe.bold(rep.email)),
				exc=InvalidInvitation,
			)
		if rep.relation not in RELATIONS:
			frappe.throw(
				_("Relation to Patient must be one of: {0}.").format(", ".join(_(r) for r in RELATIONS)),
				exc=InvalidInvitation,
			)
		return rep


def representative_account(patient_doc: Any, rep: Representative) -> Any:
	"""The representative's account on this patient, created when missing.

	A representative staff invite for an adult patient is that adult's proxy (the age policy's end at
	majority is for a child's parent): it lasts until the clinic's default proxy end date, which only
	the patient can move later.
	"""
	values: dict[str, Any] = {
		"first_name": rep.first_name,
		"last_name": rep.last_name,
		"contact_mobile": rep.mobile,
		"relation": rep.relation,
	}
	day = getdate(today())
	dob = getdate(patient_doc.dob) if patient_doc.dob else None
	if stage_on(dob, day, age_policy()) == Stage.ADULT:
		values.update(adult_proxy=1, access_valid_until=default_proxy_end(day, proxy_max_months()))
	return find_or_create_account(
		{"patient": patient_doc.name, "access_type": AccessType.REPRESENTATIVE, "contact_email": rep.email},
		values,
	)


def active_account(patient: str, representative: dict | None = None) -> Any | None:
	"""The account an invitation to the patient (or to this representative) would go to, when it is
	Active already; read under the patient's lock, so an invitation in the same request agrees."""
	lock_patient_row(patient)
	if representative:
		match = {
			"access_type": AccessType.REPRESENTATIVE,
			"contact_email": Representative.from_dict(representative).email,
		}
	else:
		match = {"access_type": AccessType.SELF}
	name = frappe.db.get_value(ACCOUNT, {"patient": patient, "status": S.ACTIVE, **match})
	return frappe.get_doc(ACCOUNT, name) if name else None


@app_action
def invite(
	patient: str, channel: str = Channel.EMAIL, representative: dict | None = None, enqueue: bool = True
) -> tuple[Any, Any]:
	"""Create (or reuse) the account and its one live invitation; sending happens after commit.

	A bulk batch passes `enqueue=False` and delivers in its own worker instead.
	"""
	if channel not in Channel.ALL:
		frappe.throw(_("Channel must be Email, SMS or Both."), exc=InvalidInvitation)
	patient_doc = lock_patient(patient)

	if representative:
		rep = Representative.from_dict(representative)
		throw_reasons(
			eligibility_reasons(patient_doc, email=rep.email), NotEligible, _("The invitation cannot be sent")
		)
		if patient_doc.get(PORTAL_ACCESS_FIELD) != CAN_ACCESS:
			patient_doc.db_set(PORTAL_ACCESS_FIELD, CAN_ACCESS, update_modified=False)
			log_event(EventType.PORTAL_ENABLED, None, patient, _("Enabled to invite a representative."))
		account = representative_account(patient_doc, rep)
		refuse_if_ended_by_age(account)
		patient_doc.db_set(PORTAL_REASON_FIELD, None, update_modified=False)
	else:
		throw_reasons(invitation_reasons(patient_doc), NotEligible, _("The invitation cannot be sent"))
		account = enable_locked(patient_doc)

	if account.status == S.ACTIVE:
		frappe.throw(
			_("{0} has already activated their portal account.").format(frappe.bold(account.username)),
			exc=InvalidInvitation,
		)
	if not account.contact_email:
		frappe.throw(_("The account has no email address to send the invitation to."), exc=InvalidInvitation)

	if channel == Channel.SMS:
		return account, sms_reminder(account)

	queued = account_invitations(account.name, (InvitationStatus.QUEUED,))
	if queued:
		# A double click or a second admin: the invitation on its way already is the answer.
		return account, frappe.get_doc(INVITATION, queued[0])

	if account.status == S.NOT_ENABLED:
		account.status = S.ENABLED
		account.save(ignore_permissions=True)
	if check_transition(account.status, S.INVITED) is not None:
		frappe.throw(
			_("A portal account that is {0} cannot be invited.").format(_(account.status)),
			exc=InvalidInvitation,
		)
	had_invitation = bool(frappe.db.exists(INVITATION, {"account": account.name}))
	invitation = new_invitation(account, channel)
	account.status = S.INVITED
	account.last_invited_on = invitation.creation
	account.save(ignore_permissions=True)
	log_event(
		EventType.INVITATION_RESENT if had_invitation else EventType.INVITATION_SENT,
		account.name,
		patient,
		_("Invitation {0} by {1} to {2}").format(invitation.name, _(channel), account.contact_email),
	)
	if enqueue:
		enqueue_delivery(invitation.name)
	return account, invitation


def new_invitation(account: Any, channel: str, reverification: bool = False) -> Any:
	"""The account's one live link: earlier ones revoked, this one queued for delivery."""
	revoke_live_invitations(account.name, _("A new invitation was sent."))
	return frappe.get_doc(
		{
			"doctype": INVITATION,
			"account": account.name,
			"channel": channel,
			"sent_to": account.contact_email,
			"status": InvitationStatus.QUEUED,
			"reverification": int(reverification),
			"expires_on": expiry(now_datetime(), int(get_settings().invitation_lifetime_hours)),
		}
	).insert(ignore_permissions=True)


def confirmed_invitation(account: Any, sent_to: str, now: datetime, lifetime_hours: int) -> tuple[Any, str]:
	"""A live link handed at once to a person whose identity was checked another way (a sign-up matched
	to this patient): Sent, opened and confirmed, the account Invited. Returns the invitation and its key;
	the caller holds the patient's lock and writes its own audit event."""
	issued = issue_token(now, lifetime_hours)
	invitation = new_invitation(account, Channel.EMAIL)
	invitation.update(
		{
			"status": InvitationStatus.SENT,
			"token_hash": issued.token_hash,
			"expires_on": issued.expires_on,
			"sent_on": now,
			"sent_to": sent_to,
			"opened_on": now,
			"identity_verified_on": now,
		}
	)
	invitation.save(ignore_permissions=True)
	account.status = S.INVITED
	account.last_invited_on = now
	account.save(ignore_permissions=True)
	return invitation, issued.token


def reverify(account: Any) -> Any:
	"""Mail a suspended account's new address a link that confirms it and reactivates the account.

	The account stays Suspended until the link is followed (identity check included); the caller
	holds the patient's lock and has saved the account with its new address.
	"""
	invitation = new_invitation(account, Channel.EMAIL, reverification=True)
	frappe.db.set_value(ACCOUNT, account.name, "last_invited_on", invitation.creation, update_modified=False)
	log_event(
		EventType.INVITATION_SENT,
		account.name,
		account.patient,
		_("Re-verification link {0} to {1}").format(invitation.name, account.contact_email),
	)
	enqueue_delivery(invitation.name)
	return invitation


def sms_reminder(account: Any) -> Any:
	"""Text the person that their invitation email is waiting; the link itself never goes by SMS."""
	live = account_invitations(account.name, (InvitationStatus.SENT,))
	if not live:
		frappe.throw(
			_("Send the invitation by email first: the activation link only travels by email."),
			exc=InvalidInvitation,
		)
	if not account.contact_mobile:
		frappe.throw(_("The account has no mobile number for the SMS notice."), exc=InvalidInvitation)
	frappe.enqueue(
		"portal_onboarding.jobs.send_sms_notice",
		invitation=live[0],
		enqueue_after_commit=True,
		job_id=f"portal_onboarding:sms:{live[0]}",
		deduplicate=True,
	)
	log_event(EventType.INVITATION_RESENT, account.name, account.patient, _("SMS notice"))
	return frappe.get_doc(INVITATION, live[0])


def enqueue_delivery(invitation: str) -> None:
	frappe.enqueue(
		"portal_onboarding.jobs.deliver_invitation",
		invitation=invitation,
		enqueue_after_commit=True,
		job_id=f"portal_onboarding:invitation:{invitation}",
		deduplicate=True,
	)
