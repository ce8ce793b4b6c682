"""The daily job that makes representative accounts follow the patient's age.

The portal already narrows a parent's access on the birthday itself (permissions.py reads the policy on
every request); this job stores the change on the account, tells the parent, and at the age of majority
ends the access and offers the young adult their own account. It only ever narrows or ends: a second run
on the same day finds nothing to do.
"""

from dataclasses import replace
from datetime import date
from typing import Any

import frappe
from frappe import _
from frappe.utils import formatdate, getdate, strip_html, today

from portal_onboarding import permissions
from portal_onboarding.constants import (
	ACCOUNT,
	PATIENT,
	PORTAL_REASON_FIELD,
	PORTAL_SECTIONS,
	AccessType,
	AccountStatus,
	Channel,
	EventType,
)
from portal_onboarding.core.age_policy import (
	CANDIDATE_STATUSES,
	AgePolicy,
	Change,
	Representation,
	Stage,
	add_years,
	age_on,
	daily_change,
	majority_date,
	representative_access,
)
from portal_onboarding.core.eligibility import normalise_email
from portal_onboarding.exceptions import NotEligible
from portal_onboarding.invitations import sending
from portal_onboarding.primitives import locks
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.links import revoke_links
from portal_onboarding.primitives.logins import cut_off_login
from portal_onboarding.primitives.status import forget_status_counts
from portal_onboarding.security.actions import app_action
from portal_onboarding.security.mail import clinic_name, in_language
from portal_onboarding.security.mail import render as render_mail
from portal_onboarding.security.mail import send as send_mail
from portal_onboarding.security.mailed_links import clinic_link
from portal_onboarding.settings import age_policy, get_settings

S = AccountStatus
NARROWED, ENDED, INVITED, FAILED = "narrowed", "ended", "invited", "failed"
SAVEPOINT = "portal_age_policy"
INVITE_SAVEPOINT = "portal_age_policy_invite"
PORTAL_PATH = "/portal"
NARROWED_MAIL = "portal_onboarding/templates/emails/portal_representative_narrowed.html"
ENDED_MAIL = "portal_onboarding/templates/emails/portal_representative_ended.html"


def apply_age_policy(day: date | None = None, commit: bool = False) -> dict[str, int]:
	"""Narrow or end every representative account the patient's age calls for on `day` (the site's
	today); one account's failure is logged and the run goes on.

	`commit`: the scheduled run commits after each account, so a patient's row is locked only while
	its own accounts change, never for the whole run; a caller inside a larger transaction leaves it off.
	"""
	day = day or getdate(today())
	policy = age_policy()
	counts = dict.fromkeys((NARROWED, ENDED, INVITED, FAILED), 0)
	for name in candidates(day, policy):
		frappe.db.savepoint(SAVEPOINT)
		try:
			done = follow_age(name, day, policy)
		except Exception:
			frappe.db.rollback(save_point=SAVEPOINT)
			counts[FAILED] += 1
			frappe.log_error(
				title=_("Representative age policy failed"), reference_doctype=ACCOUNT, reference_name=name
			)
			continue
		if commit:
			frappe.db.commit()
		for key in done:
			counts[key] += 1
	if counts[ENDED]:
		# The report's "Now adults to invite" count changes even where no patient's status does.
		forget_status_counts()
	return counts


def candidates(day: date, policy: AgePolicy) -> list[str]:
	"""Parents' and carers' accounts whose patient is at or past the partial-access age on `day`, has
	no date of birth, or whose guardianship has run out: one query, the dates compared in SQL."""
	account, patient = frappe.qb.DocType(ACCOUNT), frappe.qb.DocType(PATIENT)
	# Born on or before this day: at least the partial age (a 29 February birthday lets one more day in;
	# the policy decides each account exactly).
	partial_from = add_years(day, -policy.partial_age)
	query = (
		frappe.qb.from_(account)
		.join(patient)
		.on(patient.name == account.patient)
		.select(account.name)
		.where(
			(account.access_type == AccessType.REPRESENTATIVE)
			& (account.adult_proxy == 0)
			& account.status.isin(CANDIDATE_STATUSES)
			& (
				patient.dob.isnull()
				| (patient.dob <= partial_from)
				| ((account.guardian_of_adult == 1) & (account.guardianship_until < day))
			)
		)
		.orderby(account.name)
	)
	return query.run(pluck=True)


@app_action
def follow_age(name: str, day: date, policy: AgePolicy) -> list[str]:
	"""Make one account match the policy on `day`, re-decided under the locks; what was done."""
	patient = frappe.db.get_value(ACCOUNT, name, "patient")
	if not patient or not locks.lock_patient_row(patient):
		return []
	account = frappe.get_doc(ACCOUNT, name, for_update=True)
	if (
		account.access_type != AccessType.REPRESENTATIVE
		or account.adult_proxy
		or account.status not in CANDIDATE_STATUSES
	):
		return []  # changed since the query
	person = frappe.db.get_value(
		PATIENT, patient, ["name", "first_name", "dob", "email", "mobile", "language"], as_dict=True
	)
	rep = permissions.age_representation(account, person.dob)
	change = daily_change(rep, day, policy)
	if change.kind == Change.SHRINK:
		narrow(account, person, rep, change, day, policy)
		return [NARROWED]
	if change.kind == Change.END:
		return end_access(account, person, day, policy)
	return []


def ordered(sections: frozenset[str]) -> list[str]:
	return [section for section in PORTAL_SECTIONS if section in sections]


def narrow(
	account: Any, person: Any, rep: Representation, change: Change, day: date, policy: AgePolicy
) -> None:
	"""Store the narrower sections, audit them, and tell an Active parent what they now see."""
	kept = ordered(change.sections)
	account.set("permitted_sections", [{"portal_section": section} for section in kept])
	account.save(ignore_permissions=True)
	if change.stage == Stage.UNKNOWN:
		age = _("The patient has no date of birth on file.")
	else:
		age = _("The patient is {0}, in the partial-access years.").format(age_on(rep.date_of_birth, day))
	log_event(
		EventType.ACCESS_NARROWED_BY_AGE,
		account.name,
		account.patient,
		_("{0} Sections kept: {1}").format(age, ", ".join(kept) or "-"),
	)
	if account.status != S.ACTIVE or not account.contact_email:
		return
	awaiting = representative_access(replace(rep, sections=change.sections), day, policy).awaiting_assent
	with in_language(person.language):
		clinic = clinic_name()
		subject = _("Your access to {0}'s record on the {1} patient portal has changed").format(
			person.first_name, clinic
		)
		context = {
			"first_name": account.first_name,
			"patient_first_name": person.first_name,
			"clinic_name": clinic,
			"sections": ", ".join(_(section) for section in kept) or _("the portal's home page only"),
			"awaiting_assent": awaiting,
			"link": clinic_link(PORTAL_PATH),
		}
		message = render_mail(NARROWED_MAIL, context)
	send(account, subject, message)


def end_access(account: Any, person: Any, day: date, policy: AgePolicy) -> list[str]:
	"""The patient is an adult and no guardianship holds: the account stops, its links die, the parent
	is told, the patient is offered their own account, and the login's sessions end after commit."""
	expired = bool(account.guardian_of_adult)  # a guardianship on file that no longer holds
	notified = account.status in (S.ACTIVE, S.INVITED)
	if expired:
		ended_on = formatdate(account.guardianship_until)
		reason = _(
			"The legal guardianship on file ended on {0} and the patient is an adult, so this "
			"representative's access ended. Record a new guardianship, or the patient can invite this "
			"person as their proxy."
		).format(ended_on)
		detail = _("The guardianship ended on {0}; the patient is an adult: access ended.").format(ended_on)
	else:
		adult_on = formatdate(majority_date(getdate(person.dob), policy))
		reason = _(
			"The patient is now an adult (since {0}), so this representative's access ended. A legal "
			"guardianship can be recorded on this account, or the patient can invite this person as "
			"their proxy."
		).format(adult_on)
		detail = _("The patient turned {0} on {1}: access ended.").format(policy.majority_age, adult_on)
	account.update({"status": S.SUSPENDED, "status_reason": reason, "aged_out_on": day})
	account.save(ignore_permissions=True)
	revoke_links(account, _("The patient is an adult: the representative's access ended."))
	log_event(
		EventType.GUARDIANSHIP_ENDED if expired else EventType.ENDED_AT_MAJORITY,
		account.name,
		account.patient,
		detail,
	)
	if notified and account.contact_email:
		with in_language(person.language):
			clinic = clinic_name()
			subject = _("Your access to {0}'s record on the {1} patient portal has ended").format(
				person.first_name, clinic
			)
			context = {
				"first_name": account.first_name,
				"patient_first_name": person.first_name,
				"clinic_name": clinic,
				"guardianship_ended": expired,
			}
			message = render_mail(ENDED_MAIL, context)
		send(account, subject, message)
	done = [ENDED, INVITED] if offer_own_account(person) else [ENDED]
	cut_off_login(account.user)
	return done


def send(account: Any, subject: str, message: str) -> None:
	send_mail([account.contact_email], subject, message, ACCOUNT, account.name)


def offer_own_account(person: Any) -> bool:
	"""Invite the young adult to their own account (the setting Invite at Majority); a refusal is put
	on the Patient for the clinic to see, never raised."""
	settings = get_settings()
	if not settings.invite_at_majority:
		return False
	own = {"patient": person.name, "access_type": AccessType.SELF, "status": ("in", (S.INVITED, S.ACTIVE))}
	if frappe.db.exists(ACCOUNT, own):
		return False
	channel = Channel.BOTH if settings.send_sms_notice and person.mobile else Channel.EMAIL
	frappe.db.savepoint(INVITE_SAVEPOINT)
	try:
		refuse_parents_address(person)
		sending.invite(person.name, channel=channel)
	except frappe.ValidationError as e:
		frappe.db.rollback(save_point=INVITE_SAVEPOINT)
		reason = strip_html(str(e).replace("<br>", " ")) or _("The patient could not be invited.")
		frappe.db.set_value(PATIENT, person.name, PORTAL_REASON_FIELD, reason, update_modified=False)
		log_event(EventType.INVITATION_FAILED, None, person.name, reason)
		return False
	return True


def refuse_parents_address(person: Any) -> None:
	"""A child's record often carries a parent's address: the adult's own link must not go to anyone who
	acts for them."""
	address = normalise_email(person.email)
	parents = frappe.get_all(
		ACCOUNT,
		filters={"patient": person.name, "access_type": AccessType.REPRESENTATIVE},
		pluck="contact_email",
	)
	if address and address in {normalise_email(email) for email in parents}:
		frappe.throw(
			_(
				"The patient's email address is also their parent's or carer's: record the patient's own "
				"address, then invite them to the portal."
			),
			exc=NotEligible,
		)
