"""Background and scheduled entry points: each checks little and hands off."""

import frappe
from frappe import _
from frappe.utils import strip_html

from portal_onboarding.accounts import management, password_reset, self_reset
from portal_onboarding.bulk import batch as bulk_batch
from portal_onboarding.constants import (
	PATIENT,
	PORTAL_REASON_FIELD,
	SEND_INVITATION_FIELD,
	Channel,
	EventType,
)
from portal_onboarding.integrations.healthcare import carer
from portal_onboarding.invitations import delivery, portal_access, reminders, sending
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.representatives import ages
from portal_onboarding.settings import get_settings
from portal_onboarding.sign_up import requests as sign_up_requests


def deliver_invitation(invitation: str) -> None:
	delivery.deliver(invitation)


def send_sms_notice(invitation: str) -> None:
	delivery.send_sms_notice(invitation)


def onboard_patient(patient: str, invite: bool) -> None:
	"""Enable (and invite) a patient after their save; a refusal is shown on the Patient, never raised."""
	if not frappe.db.exists(PATIENT, patient):
		return
	frappe.db.set_value(
		PATIENT, patient, {SEND_INVITATION_FIELD: 0, PORTAL_REASON_FIELD: None}, update_modified=False
	)
	mobile = frappe.db.get_value(PATIENT, patient, "mobile")
	channel = Channel.BOTH if get_settings().send_sms_notice and mobile else Channel.EMAIL
	frappe.db.savepoint("portal_onboard_patient")
	try:
		if invite:
			sending.invite(patient, channel=channel)
		else:
			portal_access.enable(patient)
	except frappe.ValidationError as e:
		frappe.db.rollback(save_point="portal_onboard_patient")
		reason = strip_html(str(e).replace("<br>", " ")) or _("Portal access could not be enabled.")
		frappe.db.set_value(PATIENT, patient, PORTAL_REASON_FIELD, reason, update_modified=False)
		log_event(EventType.INVITATION_FAILED, None, patient, reason)


def retry_failed_invitations() -> None:
	delivery.retry_failed()


def expire_invitations() -> None:
	delivery.expire_overdue()


def send_invitation_reminders() -> None:
	reminders.send_due_reminders()


def run_invitation_batch(batch: str) -> None:
	bulk_batch.run(batch)


def resume_stalled_batches() -> None:
	bulk_batch.resume_stalled()


def expire_password_resets() -> None:
	password_reset.expire_overdue()


def answer_forgot_password(
	identifier: str, request_id: str, frappe_logins: bool = False, client_ip: str | None = None
) -> None:
	self_reset.answer(identifier, request_id, frappe_logins=frappe_logins, client_ip=client_ip)


def expire_sign_ups() -> None:
	sign_up_requests.expire_overdue()


def delete_accounts_pending_delete() -> None:
	management.purge_due()


def apply_age_policy() -> None:
	"""Daily: representatives' access follows the patients' ages (representatives/ages.py)."""
	ages.apply_age_policy(commit=True)


def invite_carer(patient: str) -> None:
	"""After a Patient save with a carer: invite the carer (integrations/healthcare/carer.py)."""
	carer.invite_carer(patient)
