"""Reminders for invitations nobody has opened: found hourly, each mailed in a transaction of its own.

A reminder carries a link of its own (only its hash kept, in `reminder_token_hash`), so the first
mail's link keeps working too; both die with the invitation, whose expiry a reminder never extends.
"""

from datetime import datetime
from typing import Any

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce
from frappe.utils import cint, get_datetime, now_datetime

from portal_onboarding.constants import ACCOUNT, INVITATION, EventType, InvitationStatus
from portal_onboarding.core.reminders import InvitationFacts, ReminderPolicy, last_mailed_by, reminder_due
from portal_onboarding.core.tokens import generate_token, hash_token
from portal_onboarding.invitations.delivery import each_committed, mail_link
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.locks import lock_invitation
from portal_onboarding.primitives.status import forget_status_counts
from portal_onboarding.security.actions import app_action
from portal_onboarding.settings import get_settings


def reminder_policy() -> ReminderPolicy:
	"""The settings' reminder numbers, read once per decision."""
	settings = get_settings()
	return ReminderPolicy(cint(settings.reminder_after_days), cint(settings.max_reminders))


def due_invitations(policy: ReminderPolicy, now: datetime) -> list[str]:
	"""Invitations the rule would remind, longest waiting first; each is decided again under its lock."""
	table = frappe.qb.DocType(INVITATION)
	last_mail = Coalesce(table.last_reminder_on, table.sent_on)
	return (
		frappe.qb.from_(table)
		.select(table.name)
		.where(
			(table.status == InvitationStatus.SENT)
			& (table.reverification == 0)
			& table.opened_on.isnull()
			& table.token_hash.isnotnull()
			& (table.expires_on > now)
			& (table.reminders_sent < policy.max_reminders)
			& (last_mail <= last_mailed_by(policy, now))
		)
		.orderby(last_mail)
	).run(pluck=True)


@app_action
def send_due_reminders() -> None:
	"""Remind every invitation that is due; one that fails is logged and the others still go out."""
	policy = reminder_policy()
	if not policy.active:
		return
	each_committed(due_invitations(policy, now_datetime()), remind, _("Portal invitation reminder failed"))


def facts_of(invitation: Any, account_status: str | None) -> InvitationFacts:
	return InvitationFacts(
		status=invitation.status,
		account_status=account_status,
		sent_on=get_datetime(invitation.sent_on) if invitation.sent_on else None,
		expires_on=get_datetime(invitation.expires_on) if invitation.expires_on else None,
		opened_on=get_datetime(invitation.opened_on) if invitation.opened_on else None,
		last_reminder_on=get_datetime(invitation.last_reminder_on) if invitation.last_reminder_on else None,
		reminders_sent=cint(invitation.reminders_sent),
		has_link=bool(invitation.token_hash),
		reverification=bool(invitation.reverification),
	)


@app_action
def remind(invitation_name: str) -> None:
	"""One reminder, re-decided under the patient's lock then the invitation's (the one lock order).

	The mail goes to the address the invitation went to, with a fresh link that replaces the previous
	reminder's. A mail that cannot be made is logged and changes nothing: the next run tries again.
	"""
	invitation = lock_invitation(invitation_name)
	if invitation is None:
		return
	account = frappe.get_doc(ACCOUNT, invitation.account, for_update=True)
	policy = reminder_policy()
	now = now_datetime()
	if not invitation.sent_to or not reminder_due(facts_of(invitation, account.status), policy, now):
		return
	token = generate_token()
	frappe.db.savepoint("portal_invitation_reminder")
	try:
		mail_link(invitation, account, token, invitation.expires_on, reminder=True)
	except Exception:
		frappe.db.rollback(save_point="portal_invitation_reminder")
		frappe.log_error(
			title=_("Portal invitation reminder failed"),
			reference_doctype=INVITATION,
			reference_name=invitation.name,
		)
		return

	invitation.reminder_token_hash = hash_token(token)
	invitation.reminders_sent = cint(invitation.reminders_sent) + 1
	invitation.last_reminder_on = now
	invitation.save(ignore_permissions=True)
	log_event(
		EventType.INVITATION_REMINDER_SENT,
		account.name,
		account.patient,
		_("Reminder {0} of {1} for invitation {2} to {3}").format(
			invitation.reminders_sent, policy.max_reminders, invitation.name, invitation.sent_to
		),
	)
	forget_status_counts()  # the report's funnel counts reminders
