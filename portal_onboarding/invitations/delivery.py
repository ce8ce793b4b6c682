"""Sending an invitation: the token is made here, at send time, and only its hash is kept."""

from collections.abc import Callable
from typing import Any

import frappe
from frappe import _
from frappe.core.doctype.sms_settings.sms_settings import send_sms as frappe_send_sms
from frappe.utils import format_datetime, get_datetime, now_datetime

from portal_onboarding.constants import (
	ACCOUNT,
	INVITATION,
	INVITATION_TEMPLATE,
	PORTAL_REASON_FIELD,
	AccountStatus,
	Channel,
	EventType,
	InvitationStatus,
)
from portal_onboarding.core.tokens import issue_token
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.links import LINK_HASH_FIELDS
from portal_onboarding.primitives.locks import lock_invitation
from portal_onboarding.primitives.patients import patient_contact_row, refresh_self_contact
from portal_onboarding.security.actions import app_action
from portal_onboarding.security.mail import clinic_name, in_language, render, render_email_template
from portal_onboarding.security.mail import send as send_mail
from portal_onboarding.security.mailed_links import clinic_link
from portal_onboarding.settings import get_settings

# What other capabilities may use; the rest of this module is the capability's own.
__all__ = ["deliver", "expire_overdue", "retry_failed", "send_sms_notice"]

MAX_SEND_ATTEMPTS = 3


ACTIVATE_PATH = "/portal/activate"
PROXY_MAIL = "portal_onboarding/templates/emails/portal_proxy_invitation.html"


def activation_link(token: str) -> str:
	"""The link in the email. The key travels in the fragment, which browsers never send to a server,
	so it stays out of access logs, proxies and `Referer` headers; the page reads it and strips it."""
	return clinic_link(ACTIVATE_PATH, token)


def render_email(
	account: Any, link: str, expires_on: Any, reverification: bool = False, reminder: bool = False
) -> dict[str, str]:
	"""Subject and body from the clinic's Email Template, in the person's language.

	A reminder is the same mail with `is_reminder` set and "Reminder:" before the subject, so it reads
	as one even with a clinic's own template that predates reminders.
	"""
	template = get_settings().invitation_email_template or INVITATION_TEMPLATE
	context = {
		"first_name": account.first_name,
		"last_name": account.last_name,
		"clinic_name": clinic_name(),
		"activation_link": link,
		"expires_on": format_datetime(expires_on),
		"is_representative": account.access_type != "Self",
		"is_reverification": reverification,
		"is_reminder": reminder,
	}
	with in_language(frappe.db.get_value("Patient", account.patient, "language")):
		email = render_email_template(template, context)
		if reminder:
			email["subject"] = _("Reminder: {0}").format(email["subject"])
		return email


def render_proxy_email(account: Any, link: str, expires_on: Any, reminder: bool = False) -> dict[str, str]:
	"""The mail to a proxy the patient invited on the portal: it names the patient by first name only
	(nothing of their health) and never carries the code, which the patient passes on themselves."""
	patient = frappe.db.get_value("Patient", account.patient, ["first_name", "language"], as_dict=True)
	with in_language(patient.language):
		clinic = clinic_name()
		subject = _("{0} has invited you to the {1} patient portal").format(patient.first_name, clinic)
		context = {
			"first_name": account.first_name,
			"invited_by": patient.first_name,
			"clinic_name": clinic,
			"activation_link": link,
			"expires_on": format_datetime(expires_on),
			"is_reminder": reminder,
		}
		return {
			"subject": _("Reminder: {0}").format(subject) if reminder else subject,
			"message": render(PROXY_MAIL, context),
		}


def sms_text() -> str:
	return _(
		"{0}: you have been invited to our patient portal. Your invitation link is in an email from us."
	).format(clinic_name())


def send_sms(mobile: str, language: str | None = None) -> None:
	"""Send one SMS through Frappe's SMS Settings; raise when it did not go out."""
	if not frappe.db.get_single_value("SMS Settings", "sms_gateway_url"):
		raise RuntimeError(_("SMS Settings have no gateway URL."))
	with in_language(language):
		text = sms_text()
	frappe_send_sms([mobile], text, success_msg=False)


@app_action
def deliver(invitation_name: str) -> None:
	"""Email the link (and the SMS notice when asked); a failure is recorded, never raised."""
	invitation = lock_invitation(invitation_name)
	if invitation is None or invitation.status not in (InvitationStatus.QUEUED, InvitationStatus.FAILED):
		return
	# The address may have been corrected since the invitation was queued: mail the current one.
	# Locking reads: a plain read would see the snapshot taken before this job waited for the lock.
	account = frappe.get_doc(ACCOUNT, invitation.account, for_update=True)
	refresh_self_contact(account, patient_contact_row(account.patient))
	invitation.sent_to = account.contact_email
	invitation.send_attempts = (invitation.send_attempts or 0) + 1
	if not invitation.sent_to:
		record_failure(invitation, account, _("The account has no email address to send the invitation to."))
		return
	issued = issue_token(now_datetime(), int(get_settings().invitation_lifetime_hours))
	frappe.db.savepoint("portal_invitation_email")
	try:
		mail_link(invitation, account, issued.token, issued.expires_on, bool(invitation.reverification))
	except Exception as e:
		frappe.db.rollback(save_point="portal_invitation_email")
		record_failure(invitation, account, str(e) or e.__class__.__name__)
		return

	invitation.token_hash = issued.token_hash
	invitation.expires_on = issued.expires_on
	invitation.status = InvitationStatus.SENT
	invitation.sent_on = now_datetime()
	invitation.failure_reason = None
	frappe.db.set_value("Patient", account.patient, PORTAL_REASON_FIELD, None, update_modified=False)
	if account.status == AccountStatus.INVITE_FAILED:
		account.status = AccountStatus.INVITED
		account.save(ignore_permissions=True)
	if invitation.channel == Channel.BOTH:
		deliver_sms(invitation, account)
	invitation.save(ignore_permissions=True)


def mail_link(
	invitation: Any,
	account: Any,
	token: str,
	expires_on: Any,
	reverification: bool = False,
	reminder: bool = False,
) -> None:
	"""Queue the mail carrying an invitation's link (the first one or a reminder) to its address."""
	link = activation_link(token)
	if invitation.get("proxy_code"):
		email = render_proxy_email(account, link, expires_on, reminder)
	else:
		email = render_email(account, link, expires_on, reverification, reminder=reminder)
	send_mail([invitation.sent_to], email["subject"], email["message"], INVITATION, invitation.name)


def deliver_sms(invitation: Any, account: Any) -> None:
	"""The SMS notice is a courtesy: its failure is recorded and retried, the email link stays valid."""
	try:
		if not account.contact_mobile:
			raise RuntimeError(_("The account has no mobile number."))
		send_sms(account.contact_mobile, frappe.db.get_value("Patient", account.patient, "language"))
	except Exception as e:
		reason = _("SMS notice failed: {0}").format(str(e) or e.__class__.__name__)
		invitation.sms_status = "Failed"
		invitation.failure_reason = reason
		log_event(EventType.INVITATION_FAILED, account.name, account.patient, reason)
		frappe.log_error(
			title=_("Portal invitation SMS failed"),
			reference_doctype=INVITATION,
			reference_name=invitation.name,
		)
		return
	invitation.sms_status = "Sent"


@app_action
def send_sms_notice(invitation_name: str) -> None:
	"""An SMS notice on its own, for an invitation whose email already went out."""
	invitation = lock_invitation(invitation_name)
	if invitation is None or invitation.status != InvitationStatus.SENT:
		return
	deliver_sms(invitation, frappe.get_doc(ACCOUNT, invitation.account))
	invitation.save(ignore_permissions=True)


def record_failure(invitation: Any, account: Any, reason: str) -> None:
	invitation.status = InvitationStatus.FAILED
	invitation.failure_reason = reason
	invitation.save(ignore_permissions=True)
	if account.status in (AccountStatus.INVITED, AccountStatus.ENABLED):
		account.status = AccountStatus.INVITE_FAILED
		account.save(ignore_permissions=True)
	frappe.db.set_value("Patient", account.patient, PORTAL_REASON_FIELD, reason, update_modified=False)
	log_event(EventType.INVITATION_FAILED, account.name, account.patient, reason)
	frappe.log_error(
		title=_("Portal invitation failed"), reference_doctype=INVITATION, reference_name=invitation.name
	)


def retry_failed() -> None:
	"""Send again what failed, a few times; an outage loses nothing."""
	failed = frappe.get_all(
		INVITATION,
		filters={"status": InvitationStatus.FAILED, "send_attempts": ("<", MAX_SEND_ATTEMPTS)},
		pluck="name",
	)
	each_committed(failed, deliver, _("Portal invitation retry failed"))
	sms_failed = frappe.get_all(
		INVITATION, filters={"status": InvitationStatus.SENT, "sms_status": "Failed"}, pluck="name"
	)
	each_committed(sms_failed, send_sms_notice, _("Portal SMS retry failed"))


def each_committed(names: list[str], work: Callable[[str], None], error_title: str) -> None:
	"""Run `work` on each invitation in its own transaction, so one bad record cannot sink the rest."""
	for name in names:
		try:
			work(name)
			frappe.db.commit()
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title=error_title, reference_doctype=INVITATION, reference_name=name)


@app_action
def expire_overdue() -> None:
	"""Mark links past their expiry as Expired, and their accounts Invite Expired.

	Each link is re-read under its lock: one accepted or revoked a moment ago stays as it is.
	"""
	overdue = frappe.get_all(
		INVITATION,
		filters={"status": InvitationStatus.SENT, "expires_on": ("<=", now_datetime())},
		pluck="name",
	)
	each_committed(overdue, expire_one, _("Portal invitation expiry failed"))


def expire_one(invitation_name: str) -> None:
	invitation = lock_invitation(invitation_name)
	if invitation is None or invitation.status != InvitationStatus.SENT:
		return
	if get_datetime(invitation.expires_on) > now_datetime():
		return
	frappe.db.set_value(
		INVITATION, invitation.name, {"status": InvitationStatus.EXPIRED, **dict.fromkeys(LINK_HASH_FIELDS)}
	)
	account = frappe.get_doc(ACCOUNT, invitation.account)
	log_event(EventType.INVITATION_EXPIRED, account.name, account.patient, invitation.name)
	if account.status == AccountStatus.INVITED:
		account.status = AccountStatus.INVITE_EXPIRED
		account.save(ignore_permissions=True)
