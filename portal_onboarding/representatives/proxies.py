"""Proxies an adult patient chooses on the portal: invite a person, change what they see and until when,
and stop their access.

Each action resolves the patient only through the caller's own record (the portal's current grant, a
Self grant of a patient who is an adult today), takes the patient's lock before any account's, and is
audited. An account name that is not one of this patient's proxies gets the one refusal, whoever's it is.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import frappe
from frappe import _
from frappe.utils import getdate, today
from frappe.utils.password import get_decrypted_password

from portal_onboarding.constants import (
	ACCOUNT,
	INVITATION,
	PORTAL_SECTIONS,
	RELATIONS,
	AccessType,
	AccountStatus,
	EventType,
)
from portal_onboarding.core.eligibility import is_valid_email, normalise_email
from portal_onboarding.core.proxies import (
	INVITABLE,
	MANAGEABLE,
	ProxyChoice,
	choice_problems,
	format_code,
	is_renewal,
	new_proxy_code,
)
from portal_onboarding.exceptions import reason_text
from portal_onboarding.invitations import sending
from portal_onboarding.permissions import ended_by_age, grants_with_sections
from portal_onboarding.portal.context import current_grant, own_adult_record
from portal_onboarding.primitives import locks, patients
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.links import revoke_links
from portal_onboarding.primitives.logins import forget_forced_change, retire_user_if_unused
from portal_onboarding.representatives.renewal import by_the_patient
from portal_onboarding.security.actions import app_action
from portal_onboarding.settings import proxy_max_months

S = AccountStatus


class ProxyRefused(Exception):
	"""A choice on the People page that cannot be made, said to the patient; raised before any write."""

	def __init__(self, message: str, field: str | None = None) -> None:
		super().__init__(message)
		self.message = message
		self.field = field


@dataclass(frozen=True)
class Person:
	"""Whom the patient invites."""

	first_name: str
	last_name: str
	email: str
	relation: str


def not_available() -> None:
	frappe.throw(_("This part of the portal is not available to you."), frappe.PermissionError)


def own_patient() -> str:
	"""The patient whose proxies the caller manages: the portal's current grant, when it is the caller's
	own (Self) record of a patient who is an adult today. Nothing else, however it is named, is used."""
	grant = current_grant(grants_with_sections())
	if not own_adult_record(grant):
		not_available()
	return grant.patient


def person_from(
	first_name: str | None, last_name: str | None, email: str | None, relation: str | None
) -> Person:
	person = Person(
		(first_name or "").strip(), (last_name or "").strip(), normalise_email(email) or "", relation or ""
	)
	if not person.first_name:
		raise ProxyRefused(_("Please enter the person's first name."), "first_name")
	if not person.email or not is_valid_email(person.email):
		raise ProxyRefused(_("Please enter a valid email address."), "email")
	if person.relation not in RELATIONS:
		raise ProxyRefused(_("Please choose how this person is related to you."), "relation")
	return person


def parse_end(end_date: str | None) -> date | None:
	try:
		return getdate(end_date) if end_date else None
	except Exception:
		raise ProxyRefused(_("Please enter a valid date."), "end_date") from None


def checked_choice(sections: list[str], end: date | None, check_end: bool = True) -> ProxyChoice:
	choice = ProxyChoice(tuple(sections), end)
	problems = choice_problems(choice, getdate(today()), proxy_max_months(), check_end)
	if problems:
		field = "end_date" if problems[0].code.startswith("proxy_end") else "sections"
		raise ProxyRefused(reason_text(problems[0]), field)
	return choice


def ordered(sections: list[str] | tuple[str, ...]) -> list[str]:
	return [section for section in PORTAL_SECTIONS if section in sections]


def apply_choice(account: Any, choice: ProxyChoice) -> None:
	"""Store the sections and the end date as the patient chose them (a later date is theirs to give)."""
	account.set("permitted_sections", [{"portal_section": s} for s in ordered(choice.sections)])
	account.access_valid_until = choice.end
	with by_the_patient():
		account.save(ignore_permissions=True)


def summary(account: Any) -> str:
	sections = ", ".join(row.portal_section for row in account.permitted_sections) or "-"
	return _("Sections: {0}; until {1}").format(sections, account.access_valid_until or "-")


@app_action
def invite_proxy(
	first_name: str | None,
	last_name: str | None,
	email: str | None,
	relation: str | None,
	sections: list[str],
	end_date: str | None,
) -> dict:
	"""Invite a person to see parts of the caller's own record until a date; returns the code the
	patient gives them (the mailed link asks for it)."""
	patient = own_patient()
	person = person_from(first_name, last_name, email, relation)
	choice = checked_choice(sections, parse_end(end_date))
	patient_doc = locks.lock_patient(patient)
	if patients.eligibility_reasons(patient_doc, email=person.email):
		raise ProxyRefused(_("The portal cannot send this invitation right now. Please contact your clinic."))
	existing = frappe.db.get_value(
		ACCOUNT,
		{"patient": patient, "access_type": AccessType.REPRESENTATIVE, "contact_email": person.email},
		"name",
	)
	if existing:
		take_over(frappe.get_doc(ACCOUNT, existing, for_update=True), choice)
	account, invitation = sending.invite(
		patient,
		representative={
			"first_name": person.first_name,
			"last_name": person.last_name,
			"email": person.email,
			"relation": person.relation,
		},
	)
	if not account.adult_proxy:  # the patient is an adult: onboarding made (or we took over) a proxy
		not_available()
	account.update(
		{"first_name": person.first_name, "last_name": person.last_name, "relation": person.relation}
	)
	apply_choice(account, choice)
	if not invitation.get("proxy_code"):  # a double click finds the queued invitation with its code
		invitation.proxy_code = new_proxy_code()
		invitation.save(ignore_permissions=True)
	log_event(
		EventType.PROXY_INVITED,
		account.name,
		patient,
		_("{0} ({1}) invited by the patient. {2}").format(
			account.contact_email, person.relation, summary(account)
		),
	)
	return {"account": account.name, "code": format_code(stored_code(invitation.name))}


def take_over(account: Any, choice: ProxyChoice) -> None:
	"""An account this person already has on the patient: a proxy not yet signed in is invited again; a
	parent whose access ended at the patient's majority becomes the patient's proxy; anything else is
	the clinic's to change."""
	if account.adult_proxy:
		if account.status == S.ACTIVE:
			raise ProxyRefused(
				_("This person can already see your record: change it in the list above."), "email"
			)
		if account.status not in INVITABLE:
			raise ProxyRefused(
				_(
					"This person's access to your record was stopped. To give it back, please contact your clinic."
				),
				"email",
			)
		return
	ended = (account.status == S.SUSPENDED and account.aged_out_on) or (
		account.status in INVITABLE and ended_by_age(account)
	)
	if not ended:
		raise ProxyRefused(
			_("This person already has an account on your record. Please contact your clinic to change it."),
			"email",
		)
	# As a reactivation through a guardianship does: the audit trail keeps the ending.
	account.update({"adult_proxy": 1, "status_reason": None, "aged_out_on": None})
	patients.set_status(account, S.ENABLED)
	apply_choice(account, choice)
	log_event(
		EventType.ACCESS_CHANGED,
		account.name,
		account.patient,
		_("The adult patient chose this former representative as their proxy."),
	)


def locked_proxy(patient: str, account_name: str | None) -> Any:
	"""One of the patient's proxies, read under the lock (the patient's row first, as always); the one
	refusal for any other name: another patient's account, a parent's, one that does not exist."""
	locks.lock_patient_row(patient)
	row = (
		frappe.db.get_value(ACCOUNT, account_name, ["patient", "access_type", "adult_proxy"], as_dict=True)
		if isinstance(account_name, str) and account_name
		else None
	)
	if (
		not row
		or row.patient != patient
		or row.access_type != AccessType.REPRESENTATIVE
		or not row.adult_proxy
	):
		not_available()
	account = frappe.get_doc(ACCOUNT, account_name, for_update=True)
	if account.status not in MANAGEABLE:
		not_available()
	return account


@app_action
def change_proxy(account_name: str | None, sections: list[str], end_date: str | None) -> dict:
	"""Change what a proxy of the caller's own record sees and until when; a later date is a renewal."""
	patient = own_patient()
	end = parse_end(end_date)
	account = locked_proxy(patient, account_name)
	before_end = getdate(account.access_valid_until) if account.access_valid_until else None
	before_sections = sorted(row.portal_section for row in account.permitted_sections)
	choice = checked_choice(sections, end, check_end=end != before_end)
	apply_choice(account, choice)
	if sorted(choice.sections) != before_sections or (end != before_end and not is_renewal(before_end, end)):
		log_event(EventType.PROXY_CHANGED, account.name, patient, summary(account))
	if is_renewal(before_end, end):
		log_event(
			EventType.PROXY_RENEWED,
			account.name,
			patient,
			_("Access extended by the patient from {0} to {1}").format(before_end or "-", end),
		)
	return {"account": account.name}


@app_action
def revoke_proxy(account_name: str | None) -> dict:
	"""Stop a proxy of the caller's own record: suspended with the reason, live links dead, and the login
	retired with its sessions ended (after commit) when it reaches no other patient."""
	patient = own_patient()
	account = locked_proxy(patient, account_name)
	reason = _("Access stopped by the patient on the portal.")
	revoke_links(account, reason)
	account.status = S.SUSPENDED
	account.status_reason = reason
	account.save(ignore_permissions=True)
	log_event(EventType.PROXY_REVOKED, account.name, patient, reason)
	if account.user and retire_user_if_unused(account.user):
		forget_forced_change(account.user)
	return {"account": account.name}


def stored_code(invitation: str) -> str:
	return get_decrypted_password(INVITATION, invitation, "proxy_code", raise_exception=False) or ""
