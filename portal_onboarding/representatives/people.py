"""The People page's list: every representative account on the patient, what each sees today and until
when, the code of a pending proxy's live invitation, and whether the patient may change the account."""

import frappe
from frappe.utils import get_datetime, getdate, now_datetime, today

from portal_onboarding.constants import ACCOUNT, INVITATION, PATIENT, AccessType, InvitationStatus
from portal_onboarding.core.proxies import MANAGEABLE, format_code, person_status
from portal_onboarding.permissions import REPRESENTATION_FIELDS, age_access, sections_by_account
from portal_onboarding.representatives.proxies import ordered, stored_code


def live_codes(accounts: list[str]) -> dict[str, str]:
	"""The code of each account's live, unexpired proxy invitation, for the patient to pass on."""
	now = now_datetime()
	codes = {}
	for row in frappe.get_all(
		INVITATION,
		filters={"account": ("in", accounts or [""]), "status": ("in", InvitationStatus.LIVE)},
		fields=["name", "account", "proxy_code", "expires_on"],
		order_by="creation asc",
	):
		if row.proxy_code and (not row.expires_on or get_datetime(row.expires_on) > now):
			codes[row.account] = format_code(stored_code(row.name))
	return codes


def people(patient: str) -> list[frappe._dict]:
	"""Every representative account on the patient for the People page: who, how related, in what state,
	what they see today and until when, and whether the patient may change it."""
	rows = frappe.get_all(
		ACCOUNT,
		filters={"patient": patient, "access_type": AccessType.REPRESENTATIVE},
		fields=[
			"name",
			"first_name",
			"last_name",
			"relation",
			"status",
			"access_valid_until",
			*REPRESENTATION_FIELDS,
		],
		order_by="creation asc",
	)
	sections = sections_by_account([row.name for row in rows])
	codes = live_codes([row.name for row in rows])
	dob = frappe.db.get_value(PATIENT, patient, "dob")
	day = getdate(today())
	for row in rows:
		row.date_of_birth = getdate(dob) if dob else None
		access = age_access(row, sections[row.name], day)
		ended = access.ended or bool(row.access_valid_until and getdate(row.access_valid_until) < day)
		row.update(
			{
				"full_name": " ".join(filter(None, (row.first_name, row.last_name))),
				"state": person_status(row.status, ended),
				"sections": ordered(tuple(access.sections)),
				"chosen": ordered(tuple(sections[row.name])),
				# An ended proxy stays in the patient's hands: a later date renews it.
				"manageable": bool(row.adult_proxy) and row.status in MANAGEABLE,
				"code": codes.get(row.name),
			}
		)
	return rows
