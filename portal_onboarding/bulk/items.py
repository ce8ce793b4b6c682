"""One patient of a bulk batch: enabled and invited in a transaction of its own, under the patient's row
lock and re-checked there, then mailed; the outcome is recorded on the batch item."""

from typing import Any

import frappe
from frappe import _
from frappe.utils import now_datetime, strip_html

from portal_onboarding.constants import (
	ACCOUNT,
	BATCH_ITEM,
	EVENT,
	INVITATION,
	PATIENT,
	AccessType,
	BatchOutcome,
	Channel,
	InvitationStatus,
)
from portal_onboarding.core.bulk import skip_reason
from portal_onboarding.exceptions import PortalOnboardingError
from portal_onboarding.invitations import delivery, sending
from portal_onboarding.primitives import locks
from portal_onboarding.settings import get_settings

DEADLOCK_RETRIES = 3


def invite_with_retry(item: Any) -> tuple[str, str | None, str | None, str | None] | None:
	"""`invite_one`, tried again when the database picked this transaction as a deadlock victim."""
	for attempt in range(1, DEADLOCK_RETRIES + 1):
		try:
			return invite_one(item)
		except Exception as e:
			if not frappe.db.is_deadlocked(e) or attempt == DEADLOCK_RETRIES:
				raise
			frappe.db.rollback()
	return None


# Internal: the invitation is made and waits to be mailed in a transaction of its own.
TO_DELIVER = "To Deliver"


SERIES_DOCTYPES = (ACCOUNT, EVENT, INVITATION)


def process_item(item: Any) -> None:
	"""One patient: the invitation is made under the patient's lock and committed, then mailed.

	Mailing (rendering and queueing) is most of the time and takes no shared lock, so parallel jobs
	overlap there. The invitation is recorded on the item before it is mailed: a run resumed after a
	crash in between mails it, instead of taking it for someone else's.
	"""
	try:
		result = invite_with_retry(item)
	except Exception as e:
		frappe.db.rollback()
		log_unexpected(e, item.patient)
		result = (BatchOutcome.FAILED, message_of(e), None, None)
	if result is None:  # another run of this batch handled the patient a moment ago
		frappe.db.commit()
		return
	outcome, reason, account, invitation = result
	if outcome == TO_DELIVER:
		frappe.db.set_value(
			BATCH_ITEM, item.name, {"account": account, "invitation": invitation}, update_modified=False
		)
		frappe.db.commit()
		outcome, reason = deliver_item(invitation, item.patient)
	frappe.db.set_value(
		BATCH_ITEM,
		item.name,
		{"outcome": outcome, "reason": reason, "account": account, "invitation": invitation},
		update_modified=False,
	)
	frappe.db.commit()


def deliver_item(invitation: str, patient: str) -> tuple[str, str | None]:
	"""Mail the invitation; a failed send is recorded on it (and retried hourly), and is this outcome."""
	try:
		delivery.deliver(invitation)
	except Exception as e:
		frappe.db.rollback()
		log_unexpected(e, patient)
		return BatchOutcome.FAILED, message_of(e)
	status, failure = frappe.db.get_value(INVITATION, invitation, ["status", "failure_reason"])
	if status == InvitationStatus.SENT:
		return BatchOutcome.SENT, None
	return BatchOutcome.FAILED, failure or _("The invitation could not be sent.")


def log_unexpected(error: Exception, patient: str) -> None:
	if not isinstance(error, frappe.ValidationError):
		frappe.log_error(
			title=_("Portal invitation batch: patient failed"),
			reference_doctype=PATIENT,
			reference_name=patient,
		)


def series_keys() -> list[str]:
	"""The naming-series rows that accounts, events and invitations take when they are inserted."""
	year = str(now_datetime().year)
	keys = []
	for doctype in SERIES_DOCTYPES:
		autoname = (frappe.get_meta(doctype).autoname or "").removeprefix("format:")
		if "{#" in autoname:
			keys.append(autoname.split("{#")[0].replace("{YYYY}", year))
	return sorted(keys)


def lock_series() -> None:
	"""Take the naming-series rows in one order before inserting: parallel jobs otherwise take them
	in the order each patient's history needs (event before invitation, or after) and deadlock."""
	frappe.db.sql(
		"select name from `tabSeries` where name in %s order by name for update", (tuple(series_keys()),)
	)


def invite_one(item: Any) -> tuple[str, str | None, str | None, str | None] | None:
	"""Enable and invite the item's patient, or say why not; the patient's row is locked first."""
	if not locks.lock_patient_row(item.patient):
		return BatchOutcome.SKIPPED, _("The patient no longer exists."), None, None
	current = frappe.db.get_value(
		BATCH_ITEM, item.name, ["outcome", "account", "invitation"], as_dict=True, for_update=True
	)
	if current.outcome != BatchOutcome.PENDING:
		return None
	if current.invitation:
		# Made by this batch before its worker stopped: mail it now, whoever resumes.
		return TO_DELIVER, None, current.account, current.invitation
	account = frappe.db.get_value(
		ACCOUNT,
		{"patient": item.patient, "access_type": AccessType.SELF},
		["name", "status"],
		as_dict=True,
		for_update=True,
	)
	on_its_way = bool(
		account
		and frappe.db.exists(
			INVITATION,
			{"account": account.name, "status": ("in", (InvitationStatus.QUEUED, InvitationStatus.SENT))},
		)
	)
	reason = skip_reason(account.status if account else None, on_its_way)
	if reason:
		return (
			BatchOutcome.SKIPPED,
			_(reason.message).format(*reason.args),
			account.name if account else None,
			None,
		)
	lock_series()
	try:
		account_doc, invitation = sending.invite(
			item.patient, channel=channel_for(item.patient), enqueue=False
		)
	except PortalOnboardingError as e:
		# Made ineligible (or otherwise refused) since it was listed: the reason is the outcome.
		return BatchOutcome.SKIPPED, message_of(e), account.name if account else None, None
	return TO_DELIVER, None, account_doc.name, invitation.name


def channel_for(patient: str) -> str:
	if get_settings().send_sms_notice and frappe.db.get_value(PATIENT, patient, "mobile"):
		return Channel.BOTH
	return Channel.EMAIL


def message_of(error: Exception) -> str:
	text = strip_html(str(error).replace("<br>", " ")).strip()
	return text or error.__class__.__name__
