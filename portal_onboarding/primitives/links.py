"""The mailed links of an account, invitations and password resets: finding the live one a key opens (one
path for both), and revoking them."""

from typing import Any

import frappe
from frappe.utils import get_datetime, now_datetime

from portal_onboarding.constants import INVITATION, PASSWORD_RESET, EventType, InvitationStatus, ResetStatus
from portal_onboarding.core.tokens import hash_token, is_expired, verify_token
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.locks import lock_patient_row

MAX_KEY_LENGTH = 128


def find_live_link(
	doctype: str,
	key: str | None,
	live_status: str,
	lock: bool = False,
	hash_fields: tuple[str, ...] = ("token_hash",),
) -> Any | None:
	"""The record of `doctype` whose token is `key`, still `live_status` and unexpired; else None,
	whatever was wrong (garbage, used, revoked, expired: one answer for all).

	`hash_fields` are the fields a record keeps its live tokens' hashes in (an invitation keeps its
	first mail's and its latest reminder's); the key may match any of them.

	With `lock`, the patient's row is locked first and the record re-read under its own lock, so its
	counters and status are the committed ones and two requests with one key go one at a time.
	"""
	if not key or len(key) > MAX_KEY_LENGTH:
		return None
	digest = hash_token(key)
	for field in hash_fields:
		name = frappe.db.get_value(doctype, {field: digest}, "name")
		if name:
			break
	else:
		return None
	if lock:
		if not lock_patient_row(frappe.db.get_value(doctype, name, "patient")):
			return None
		record = frappe.get_doc(doctype, name, for_update=True)
	else:
		record = frappe.get_doc(doctype, name)
	if not verify_token(key, record.get(field)) or record.status != live_status:
		return None
	if is_expired(get_datetime(record.expires_on), now_datetime()):
		return None
	return record


# Where an invitation keeps the hashes of its live links: the first mail's and the latest reminder's.
# Every way a link dies (accepted, revoked, expired) clears them all.
LINK_HASH_FIELDS = ("token_hash", "reminder_token_hash")


def account_invitations(account: str, statuses: tuple[str, ...] = InvitationStatus.LIVE) -> list[str]:
	"""The account's invitations in `statuses` (the live ones by default), newest first."""
	return frappe.get_all(
		INVITATION,
		filters={"account": account, "status": ("in", statuses)},
		pluck="name",
		order_by="creation desc",
	)


def revoke_live_invitations(account: str, reason: str) -> list[str]:
	"""Kill the account's live links: revoked, and their token hashes gone."""
	revoked = account_invitations(account)
	for name in revoked:
		revoke_invitation(name, account, reason)
	return revoked


def revoke_invitation(name: str, account: str, reason: str) -> None:
	frappe.db.set_value(
		INVITATION,
		name,
		{"status": InvitationStatus.REVOKED, "failure_reason": reason, **dict.fromkeys(LINK_HASH_FIELDS)},
	)
	log_event(EventType.INVITATION_REVOKED, account, None, reason)


def live_resets(account: str) -> list[str]:
	return frappe.get_all(
		PASSWORD_RESET, filters={"account": account, "status": ResetStatus.SENT}, pluck="name"
	)


def revoke_live_resets(account: str, reason: str) -> list[str]:
	"""Kill the account's unused reset links: revoked, their hashes gone."""
	revoked = live_resets(account)
	for name in revoked:
		frappe.db.set_value(PASSWORD_RESET, name, {"status": ResetStatus.REVOKED, "token_hash": None})
	return revoked


def revoke_links(account: Any, reason: str) -> None:
	"""Every live invitation and reset link of the account stops working."""
	revoke_live_invitations(account.name, reason)
	revoke_live_resets(account.name, reason)
