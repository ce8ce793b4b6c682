"""What an admin records about a representative: a legal guardianship of an adult, and the assent of a
patient in the partial-access years. Each runs under the patient's lock and is audited."""

from typing import Any

import frappe
from frappe import _
from frappe.utils import escape_html, format_datetime, formatdate, getdate, now_datetime, today

from portal_onboarding.constants import PATIENT, AccessType, EventType
from portal_onboarding.core.age_policy import Stage, stage_on
from portal_onboarding.exceptions import InvalidAccount
from portal_onboarding.primitives import locks
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.representatives import ages
from portal_onboarding.security.actions import app_action
from portal_onboarding.settings import age_policy

MAX_DOCUMENT_LENGTH = 500


def representative(account_name: str) -> Any:
	"""The account under the one lock order; refused unless it is a parent's or carer's."""
	account = locks.lock_account(account_name)
	if account.access_type != AccessType.REPRESENTATIVE:
		frappe.throw(
			_(
				"Guardianship and assent are recorded on a representative's account; this is the patient's "
				"own account."
			),
			exc=InvalidAccount,
		)
	return account


def store(account: Any, values: dict[str, Any], event: str, detail: str) -> Any:
	"""Write the account's guardianship or assent fields and the event that says who did it."""
	account.update(values)
	account.save(ignore_permissions=True)
	log_event(event, account.name, account.patient, detail)
	return account


@app_action
def record_guardianship(account_name: str, document: str, until: Any = None) -> Any:
	"""Record that the representative is the patient's legal guardian as an adult (with what the admin
	saw), so their access goes on past the age of majority; an ended account can then be reactivated."""
	document = (document or "").strip()
	if not document:
		frappe.throw(
			_(
				"Please describe the guardianship document you saw (for example, the court order and its date)."
			),
			exc=InvalidAccount,
			title=_("Document needed"),
		)
	if len(document) > MAX_DOCUMENT_LENGTH:
		frappe.throw(
			_("The document note may be at most {0} characters long.").format(MAX_DOCUMENT_LENGTH),
			exc=InvalidAccount,
		)
	end = getdate(until) if until else None
	if end and end < getdate(today()):
		frappe.throw(_("The guardianship's end date cannot be in the past."), exc=InvalidAccount)
	return store(
		representative(account_name),
		{"guardian_of_adult": 1, "guardianship_until": end, "guardianship_document": document},
		EventType.GUARDIANSHIP_RECORDED,
		_("Until {0}; document seen: {1}").format(formatdate(end) if end else _("no end date"), document),
	)


@app_action
def end_guardianship(account_name: str) -> Any:
	"""Clear the guardianship; the policy then applies at once (an adult patient's access ends now)."""
	account = representative(account_name)
	if not account.guardian_of_adult:
		frappe.throw(_("No legal guardianship is recorded on this portal account."), exc=InvalidAccount)
	until = account.guardianship_until
	store(
		account,
		{"guardian_of_adult": 0, "guardianship_until": None, "guardianship_document": None},
		EventType.GUARDIANSHIP_ENDED,
		_("Ended by {0} (it was on file until {1})").format(
			frappe.session.user, formatdate(until) if until else _("no end date")
		),
	)
	ages.follow_age(account.name, getdate(today()), age_policy())
	return frappe.get_doc(account.doctype, account.name)


@app_action
def record_assent(account_name: str) -> Any:
	"""Record that the patient, in the partial-access years, agrees to this representative's access."""
	account = representative(account_name)
	dob = frappe.db.get_value(PATIENT, account.patient, "dob")
	policy = age_policy()
	if stage_on(getdate(dob) if dob else None, getdate(today()), policy) != Stage.PARTIAL:
		frappe.throw(
			_(
				"A patient's assent is recorded only from age {0} until the age of majority ({1}), and "
				"Patient {2} is not in those years (check the date of birth on the Patient)."
			).format(
				policy.partial_age,
				policy.majority_age,
				frappe.bold(escape_html(account.patient_name or account.patient)),
			),
			exc=InvalidAccount,
			title=_("Not Possible"),
		)
	if account.teen_assent_on:
		frappe.throw(
			_("The patient's assent was already recorded on {0}.").format(
				format_datetime(account.teen_assent_on)
			),
			exc=InvalidAccount,
		)
	return store(
		account,
		{"teen_assent_on": now_datetime(), "teen_assent_by": frappe.session.user},
		EventType.ASSENT_RECORDED,
		_("Recorded by {0}").format(frappe.session.user),
	)


@app_action
def withdraw_assent(account_name: str) -> Any:
	"""Withdraw the patient's assent: while the clinic asks for it, the account opens nothing again."""
	account = representative(account_name)
	if not account.teen_assent_on:
		frappe.throw(_("No assent of the patient is recorded on this portal account."), exc=InvalidAccount)
	recorded = account.teen_assent_on
	return store(
		account,
		{"teen_assent_on": None, "teen_assent_by": None},
		EventType.ASSENT_WITHDRAWN,
		_("Withdrawn by {0} (recorded on {1})").format(frappe.session.user, format_datetime(recorded)),
	)
