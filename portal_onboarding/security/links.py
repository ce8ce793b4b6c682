"""Finding the live record a mailed link's key opens: one path for invitations and reset links."""

from typing import Any

import frappe
from frappe.utils import get_datetime, now_datetime

from portal_onboarding.core.tokens import hash_token, is_expired, verify_token

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
	from portal_onboarding.onboarding import lock_patient_row

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
