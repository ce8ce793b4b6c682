"""Enabling, disabling and inviting: the admin-side flow shared by the API, the Patient hooks and jobs."""

from dataclasses import dataclass
from typing import Any

import frappe
from frappe import _
from frappe.utils import escape_html, getdate, now_datetime, today

from portal_onboarding.audit import log_event
from portal_onboarding.constants import (
	ACCOUNT,
	CAN_ACCESS,
	INVITATION,
	NO_ACCESS,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	PORTAL_REASON_FIELD,
	RELATIONS,
	AccessType,
	AccountStatus,
	Channel,
	EventType,
	InvitationStatus,
)
from portal_onboarding.core.age_policy import (
	Representation,
	Stage,
	default_proxy_end,
	representative_access,
	stage_on,
)
from portal_onboarding.core.eligibility import (
	PatientFacts,
	check_eligibility,
	check_invitation,
	in_person_rules,
	is_valid_email,
	normalise_email,
)
from portal_onboarding.core.messages import Reason
from portal_onboarding.core.status import check_transition
from portal_onboarding.core.tokens import expiry
from portal_onboarding.core.validation import check_sections
from portal_onboarding.exceptions import InvalidAccount, InvalidInvitation, NotEligible, throw_reasons
from portal_onboarding.permissions import REPRESENTATION_FIELDS, representation
from portal_onboarding.portal_status import refresh_portal_status
from portal_onboarding.security.actions import app_action
from portal_onboarding.security.sessions import end_sessions_after_commit
from portal_onboarding.settings import age_policy, eligibility_rules, get_settings, proxy_max_months

S = AccountStatus

# Where an invitation keeps the hashes of its live links: the first mail's and the latest reminder's.
# Every way a link dies (accepted, revoked, expired) clears them all.
LINK_HASH_FIELDS = ("token_hash", "reminder_token_hash")


@dataclass(frozen=True)
class Representative:
	"""The parent or carer an admin invites to act for a patient."""

	first_name: str
	last_name: str
	email: str
	mobile: str
	relation: str

	@classmethod
	def from_dict(cls, values: dict[str, Any]) -> "Representative":
		def text(key: str) -> str:
			return str(values.get(key) or "").strip()

		rep = cls(
			text("first_name"), text("last_name"), text("email").lower(), text("mobile"), text("relation")
		)
		missing = [
			label
			for label, value in ((_("First Name"), rep.first_name), (_("Email"), rep.email))
			if not value
		]
		if missing:
			frappe.throw(
				_("The representative's {0} is required.").format(", ".join(missing)), exc=InvalidInvitation
			)
		if not is_valid_email(rep.email):
			frappe.throw(
				_("The representative's email address {0} is not valid.").format(frappe.bold(rep.email)),
				exc=InvalidInvitation,
			)
		if rep.relation not in RELATIONS:
			frappe.throw(
				_("Relation to Patient must be one of: {0}.").format(", ".join(_(r) for r in RELATIONS)),
				exc=InvalidInvitation,
			)
		return rep


def lock_patient_row(patient: str) -> bool:
	"""Lock the patient's row; False when there is no such patient.

	Every access change takes this lock first, before any account or invitation row, so two admins,
	a double click, the activation page and background jobs wait in line instead of deadlocking.
	"""
	return bool(patient and frappe.db.get_value(PATIENT, patient, "name", for_update=True))


def lock_patient(patient: str) -> Any:
	"""Lock the patient's row and return the Patient as committed, read under the lock."""
	if not lock_patient_row(patient):
		frappe.throw(
			_("Patient {0} does not exist.").format(frappe.bold(patient)), exc=frappe.DoesNotExistError
		)
	return frappe.get_doc(PATIENT, patient, for_update=True)


def home_zip(patient: str) -> str | None:
	"""The ZIP code of the patient's primary address, else of their only address."""
	addresses = frappe.get_all(
		"Address",
		filters=[
			["Dynamic Link", "link_doctype", "=", PATIENT],
			["Dynamic Link", "link_name", "=", patient],
			["disabled", "=", 0],
		],
		fields=["pincode", "is_primary_address"],
		order_by="`tabAddress`.is_primary_address desc, `tabAddress`.creation asc",
	)
	if not addresses:
		return None
	if addresses[0].is_primary_address or len(addresses) == 1:
		return addresses[0].pincode
	return None


def patient_facts(patient_doc: Any, email: str | None = None) -> PatientFacts:
	return PatientFacts(
		email=email if email is not None else patient_doc.email,
		home_zip=home_zip(patient_doc.name),
		date_of_birth=getdate(patient_doc.dob) if patient_doc.dob else None,
	)


def eligibility_reasons(
	patient_doc: Any, email: str | None = None, in_person: bool = False
) -> tuple[Reason, ...]:
	"""Why the patient may not have portal access; `in_person`: for credentials an admin hands over."""
	rules = in_person_rules(eligibility_rules()) if in_person else eligibility_rules()
	return check_eligibility(patient_facts(patient_doc, email), rules).reasons


def invitation_reasons(patient_doc: Any) -> tuple[Reason, ...]:
	"""Why no invitation can be mailed to the patient (a missing email says how to do without one)."""
	return check_invitation(patient_facts(patient_doc), eligibility_rules()).reasons


def set_status(account: Any, status: str) -> None:
	"""Move an account to `status` when the move is legal and not a no-op."""
	if account.status != status and check_transition(account.status, status) is None:
		account.status = status


def find_or_create_account(match: dict[str, Any], values: dict[str, Any]) -> Any:
	"""The account matching `match`, else a new one (Not Enabled) from `match` and `values`."""
	name = frappe.db.get_value(ACCOUNT, match)
	if name:
		return frappe.get_doc(ACCOUNT, name)
	return frappe.get_doc({"doctype": ACCOUNT, **match, **values}).insert(ignore_permissions=True)


def patient_contact(patient_doc: Any) -> dict[str, Any]:
	"""The details a Self account copies from its Patient."""
	return {
		"first_name": patient_doc.first_name,
		"last_name": patient_doc.last_name,
		"contact_email": normalise_email(patient_doc.email),
		"contact_mobile": patient_doc.mobile,
	}


def self_account(patient_doc: Any) -> Any:
	"""The patient's own account, created when missing, with the Patient's current contact details."""
	account = find_or_create_account(
		{"patient": patient_doc.name, "access_type": AccessType.SELF}, patient_contact(patient_doc)
	)
	refresh_self_contact(account, patient_doc)
	return account


def refresh_self_contact(account: Any, patient_doc: Any) -> None:
	"""Copy the Patient's contact details onto its Self account, so mail never goes to an old address."""
	if account.access_type != AccessType.SELF:
		return
	current = patient_contact(patient_doc)
	if any((account.get(field) or None) != value for field, value in current.items()):
		account.update(current)
		account.save(ignore_permissions=True)


def representative_account(patient_doc: Any, rep: Representative) -> Any:
	"""The representative's account on this patient, created when missing.

	A representative staff invite for an adult patient is that adult's proxy (the age policy's end at
	majority is for a child's parent): it lasts until the clinic's default proxy end date, which only
	the patient can move later.
	"""
	values: dict[str, Any] = {
		"first_name": rep.first_name,
		"last_name": rep.last_name,
		"contact_mobile": rep.mobile,
		"relation": rep.relation,
	}
	day = getdate(today())
	dob = getdate(patient_doc.dob) if patient_doc.dob else None
	if stage_on(dob, day, age_policy()) == Stage.ADULT:
		values.update(adult_proxy=1, access_valid_until=default_proxy_end(day, proxy_max_months()))
	return find_or_create_account(
		{"patient": patient_doc.name, "access_type": AccessType.REPRESENTATIVE, "contact_email": rep.email},
		values,
	)


def age_representation(account: Any, date_of_birth: Any) -> Representation:
	"""The age policy's view of a stored representative account and its Patient's date of birth."""
	facts = frappe._dict({field: account.get(field) for field in REPRESENTATION_FIELDS})
	facts.date_of_birth = getdate(date_of_birth) if date_of_birth else None
	return representation(facts, frozenset(row.portal_section for row in account.permitted_sections))


def ended_by_age(account: Any) -> bool:
	"""True for a representative whose access the patient's age ends today: an adult patient, no valid
	guardianship on file, and not a proxy the adult chose."""
	if account.access_type != AccessType.REPRESENTATIVE:
		return False
	dob = frappe.db.get_value(PATIENT, account.patient, "dob")
	return representative_access(age_representation(account, dob), getdate(today()), age_policy()).ended


def refuse_if_ended_by_age(account: Any) -> None:
	"""No new link and no reactivation for a parent whose access ended at the patient's majority."""
	if ended_by_age(account):
		frappe.throw(
			_(
				"Patient {0} is an adult, so this representative's access ended at the age of majority. "
				"Record a legal guardianship on this portal account first, or ask the patient to invite "
				"this person as their proxy."
			).format(frappe.bold(escape_html(account.patient_name or account.patient))),
			exc=InvalidAccount,
			title=_("Access ended by age"),
		)


@app_action
def enable(patient: str, in_person: bool = False) -> Any:
	"""Give the patient portal access: eligibility first, then the toggle and an Enabled Self account.

	`in_person`: a portal admin enables for credentials handed over in person (Set credentials), so
	the patient needs no email; the home ZIP code and identity rules still apply.
	"""
	return enable_locked(lock_patient(patient), in_person)


def enable_locked(patient_doc: Any, in_person: bool = False) -> Any:
	"""`enable` for a Patient its caller has already locked and read."""
	patient = patient_doc.name
	throw_reasons(
		eligibility_reasons(patient_doc, in_person=in_person),
		NotEligible,
		_("Portal access cannot be enabled"),
	)
	account = self_account(patient_doc)
	patient_doc.db_set(PORTAL_REASON_FIELD, None, update_modified=False)
	was_enabled = patient_doc.get(PORTAL_ACCESS_FIELD) == CAN_ACCESS
	if not was_enabled:
		patient_doc.db_set(PORTAL_ACCESS_FIELD, CAN_ACCESS, update_modified=False)
		log_event(
			EventType.PORTAL_ENABLED,
			account.name,
			patient,
			_("For credentials given in person") if in_person else None,
		)
	if account.status == S.NOT_ENABLED:
		# Only a disabled account is enabled: an invited, active or suspended one keeps its state.
		account.status = S.ENABLED
	account.save(ignore_permissions=True)  # its on_update refreshes the patient's portal status
	return account


@app_action
def disable(patient: str) -> list[str]:
	"""Take portal access away: every account on the patient, its live links and its sessions."""
	patient_doc = lock_patient(patient)
	patient_doc.db_set(PORTAL_ACCESS_FIELD, NO_ACCESS, update_modified=False)
	accounts = frappe.get_all(ACCOUNT, filters={"patient": patient}, pluck="name")
	from portal_onboarding.accounts.password_reset import revoke_live_resets

	for name in accounts:
		account = frappe.get_doc(ACCOUNT, name)
		revoke_live_invitations(account.name, _("Portal access was disabled."))
		revoke_live_resets(account.name, _("Portal access was disabled."))
		set_status(account, S.NOT_ENABLED)
		account.save(ignore_permissions=True)
		if account.user:
			retire_user_if_unused(account.user)
	log_event(EventType.PORTAL_DISABLED, accounts[0] if accounts else None, patient)
	refresh_portal_status(patient)
	return accounts


@app_action
def set_permitted_sections(account_name: str, sections: list[str]) -> Any:
	"""Replace the account's permitted sections; unknown or repeated keys are refused, not dropped."""
	reason = check_sections(sections)
	throw_reasons([reason] if reason else [], InvalidAccount)
	lock_patient_row(frappe.db.get_value(ACCOUNT, account_name, "patient"))
	account = frappe.get_doc(ACCOUNT, account_name, for_update=True)
	account.set("permitted_sections", [{"portal_section": s} for s in sections])
	account.save(ignore_permissions=True)
	return account


@app_action
def delete_account(account_name: str) -> None:
	"""Delete an account, the patient's row locked first as for every access change.

	The doctype grants no delete permission: Frappe's own delete would lock the account row before
	the patient's and could deadlock against an invite or a disable.
	"""
	lock_patient_row(frappe.db.get_value(ACCOUNT, account_name, "patient"))
	frappe.delete_doc(ACCOUNT, account_name, ignore_permissions=True)


def retire_user_if_unused(user: str, leaving: str | None = None) -> bool:
	"""Disable a portal login and end its sessions (after commit) once it reaches no patient any more.

	`leaving` is an account that is about to stop counting (being deleted). Staff logins are never
	touched: a portal account can only ever point at a Website User.
	"""
	filters: dict[str, Any] = {"user": user, "status": ("in", (S.ACTIVE, S.INVITED, S.ENABLED))}
	if leaving:
		filters["name"] = ("!=", leaving)
	if frappe.db.exists(ACCOUNT, filters):
		return False
	if frappe.db.get_value("User", user, "user_type") != "Website User":
		return False
	frappe.db.set_value("User", user, "enabled", 0)
	end_sessions_after_commit(user)
	return True


def invitations(account: str, statuses: tuple[str, ...] = InvitationStatus.LIVE) -> list[str]:
	"""The account's invitations in `statuses` (the live ones by default), newest first."""
	return frappe.get_all(
		INVITATION,
		filters={"account": account, "status": ("in", statuses)},
		pluck="name",
		order_by="creation desc",
	)


def revoke_live_invitations(account: str, reason: str) -> list[str]:
	"""Kill the account's live links: revoked, and their token hashes gone."""
	revoked = invitations(account)
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


def active_account(patient: str, representative: dict | None = None) -> Any | None:
	"""The account an invitation to the patient (or to this representative) would go to, when it is
	Active already; read under the patient's lock, so an invitation in the same request agrees."""
	lock_patient_row(patient)
	if representative:
		match = {
			"access_type": AccessType.REPRESENTATIVE,
			"contact_email": Representative.from_dict(representative).email,
		}
	else:
		match = {"access_type": AccessType.SELF}
	name = frappe.db.get_value(ACCOUNT, {"patient": patient, "status": S.ACTIVE, **match})
	return frappe.get_doc(ACCOUNT, name) if name else None


@app_action
def invite(
	patient: str, channel: str = Channel.EMAIL, representative: dict | None = None, enqueue: bool = True
) -> tuple[Any, Any]:
	"""Create (or reuse) the account and its one live invitation; sending happens after commit.

	A bulk batch passes `enqueue=False` and delivers in its own worker instead.
	"""
	if channel not in Channel.ALL:
		frappe.throw(_("Channel must be Email, SMS or Both."), exc=InvalidInvitation)
	patient_doc = lock_patient(patient)

	if representative:
		rep = Representative.from_dict(representative)
		throw_reasons(
			eligibility_reasons(patient_doc, email=rep.email), NotEligible, _("The invitation cannot be sent")
		)
		if patient_doc.get(PORTAL_ACCESS_FIELD) != CAN_ACCESS:
			patient_doc.db_set(PORTAL_ACCESS_FIELD, CAN_ACCESS, update_modified=False)
			log_event(EventType.PORTAL_ENABLED, None, patient, _("Enabled to invite a representative."))
		account = representative_account(patient_doc, rep)
		refuse_if_ended_by_age(account)
		patient_doc.db_set(PORTAL_REASON_FIELD, None, update_modified=False)
	else:
		throw_reasons(invitation_reasons(patient_doc), NotEligible, _("The invitation cannot be sent"))
		account = enable_locked(patient_doc)

	if account.status == S.ACTIVE:
		frappe.throw(
			_("{0} has already activated their portal account.").format(frappe.bold(account.username)),
			exc=InvalidInvitation,
		)
	if not account.contact_email:
		frappe.throw(_("The account has no email address to send the invitation to."), exc=InvalidInvitation)

	if channel == Channel.SMS:
		return account, sms_reminder(account)

	queued = invitations(account.name, (InvitationStatus.QUEUED,))
	if queued:
		# A double click or a second admin: the invitation on its way already is the answer.
		return account, frappe.get_doc(INVITATION, queued[0])

	if account.status == S.NOT_ENABLED:
		account.status = S.ENABLED
		account.save(ignore_permissions=True)
	if check_transition(account.status, S.INVITED) is not None:
		frappe.throw(
			_("A portal account that is {0} cannot be invited.").format(_(account.status)),
			exc=InvalidInvitation,
		)
	had_invitation = bool(frappe.db.exists(INVITATION, {"account": account.name}))
	invitation = new_invitation(account, channel)
	account.status = S.INVITED
	account.last_invited_on = invitation.creation
	account.save(ignore_permissions=True)
	log_event(
		EventType.INVITATION_RESENT if had_invitation else EventType.INVITATION_SENT,
		account.name,
		patient,
		_("Invitation {0} by {1} to {2}").format(invitation.name, _(channel), account.contact_email),
	)
	if enqueue:
		enqueue_delivery(invitation.name)
	return account, invitation


def new_invitation(account: Any, channel: str, reverification: bool = False) -> Any:
	"""The account's one live link: earlier ones revoked, this one queued for delivery."""
	revoke_live_invitations(account.name, _("A new invitation was sent."))
	return frappe.get_doc(
		{
			"doctype": INVITATION,
			"account": account.name,
			"channel": channel,
			"sent_to": account.contact_email,
			"status": InvitationStatus.QUEUED,
			"reverification": int(reverification),
			"expires_on": expiry(now_datetime(), int(get_settings().invitation_lifetime_hours)),
		}
	).insert(ignore_permissions=True)


def reverify(account: Any) -> Any:
	"""Mail a suspended account's new address a link that confirms it and reactivates the account.

	The account stays Suspended until the link is followed (identity check included); the caller
	holds the patient's lock and has saved the account with its new address.
	"""
	invitation = new_invitation(account, Channel.EMAIL, reverification=True)
	frappe.db.set_value(ACCOUNT, account.name, "last_invited_on", invitation.creation, update_modified=False)
	log_event(
		EventType.INVITATION_SENT,
		account.name,
		account.patient,
		_("Re-verification link {0} to {1}").format(invitation.name, account.contact_email),
	)
	enqueue_delivery(invitation.name)
	return invitation


def lock_account(account_name: str) -> Any:
	"""The account read under its lock, its patient's row locked first (the one lock order)."""
	patient = frappe.db.get_value(ACCOUNT, account_name, "patient")
	if not patient:
		frappe.throw(
			_("Portal account {0} does not exist.").format(frappe.bold(account_name)),
			exc=frappe.DoesNotExistError,
		)
	if not lock_patient_row(patient):
		frappe.throw(
			_("The patient of portal account {0} no longer exists.").format(frappe.bold(account_name)),
			exc=frappe.DoesNotExistError,
		)
	return frappe.get_doc(ACCOUNT, account_name, for_update=True)


def sms_reminder(account: Any) -> Any:
	"""Text the person that their invitation email is waiting; the link itself never goes by SMS."""
	live = invitations(account.name, (InvitationStatus.SENT,))
	if not live:
		frappe.throw(
			_("Send the invitation by email first: the activation link only travels by email."),
			exc=InvalidInvitation,
		)
	if not account.contact_mobile:
		frappe.throw(_("The account has no mobile number for the SMS notice."), exc=InvalidInvitation)
	frappe.enqueue(
		"portal_onboarding.jobs.send_sms_notice",
		invitation=live[0],
		enqueue_after_commit=True,
		job_id=f"portal_onboarding:sms:{live[0]}",
		deduplicate=True,
	)
	log_event(EventType.INVITATION_RESENT, account.name, account.patient, _("SMS notice"))
	return frappe.get_doc(INVITATION, live[0])


def enqueue_delivery(invitation: str) -> None:
	frappe.enqueue(
		"portal_onboarding.jobs.deliver_invitation",
		invitation=invitation,
		enqueue_after_commit=True,
		job_id=f"portal_onboarding:invitation:{invitation}",
		deduplicate=True,
	)
