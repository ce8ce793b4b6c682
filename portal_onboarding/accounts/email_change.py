"""The email-change guard: a new address on an Active account must prove itself before it is used.

When a patient's email changes while their Self account is Active (or a representative account's
contact email changes): the account is suspended, its login cut off, a re-verification link goes to
the new address, a notice without health data goes to the old one, and the audit records who changed
what.
"""

from typing import Any

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import format_datetime, now_datetime, strip_html

from portal_onboarding.constants import ACCOUNT, PORTAL_REASON_FIELD, AccessType, AccountStatus, EventType
from portal_onboarding.core.eligibility import email_changed, is_valid_email, normalise_email
from portal_onboarding.invitations.sending import invite, reverify
from portal_onboarding.permissions import is_portal_admin
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.links import revoke_links, revoke_live_invitations
from portal_onboarding.primitives.locks import lock_patient_row
from portal_onboarding.primitives.logins import cut_off_login
from portal_onboarding.primitives.patients import refresh_self_contact
from portal_onboarding.security.actions import acting
from portal_onboarding.security.mail import clinic_name, in_language
from portal_onboarding.security.mail import render as render_mail
from portal_onboarding.security.mail import send as send_mail

S = AccountStatus


def needs_guard(account: Any, old: str | None, new: str | None) -> bool:
	"""True when an Active account's address really changes (case and spaces do not count)."""
	return account.status == S.ACTIVE and email_changed(old, new)


def first_address_from_admin(old: str | None, new: str | None) -> bool:
	"""A portal admin gives an address to an account that had none (credentials given in person).

	There is no earlier address to warn and nothing the new one could be confirmed against, and a
	portal admin may set the account's credentials anyway, so suspending would only lock the patient
	out. Anyone else's first address still goes through the guard: staff must not gain an inbox that
	reset links reach.
	"""
	address = normalise_email(new)
	return not normalise_email(old) and bool(address) and is_valid_email(address) and is_portal_admin()


def suspend_for_new_address(account: Any, old: str | None, new: str | None) -> None:
	"""Set the account's new address and suspend it until the address is confirmed (no save)."""
	account.contact_email = normalise_email(new)
	account.status = S.SUSPENDED
	account.status_reason = (
		_(
			"{0} changed the email address to {1}: suspended until the login's own password confirms it "
			"(or a portal admin reactivates the account)."
		).format(frappe.session.user, normalise_email(new))
		if normalise_email(new)
		else _("The email address was removed: suspended until the clinic reactivates the account.")
	)


def after_address_change(account: Any, old: str | None, new: str | None) -> None:
	"""The rest of the guard, once the suspended account is saved: audit, links, login, mails."""
	log_event(
		EventType.EMAIL_CHANGED,
		account.name,
		account.patient,
		_("{0} changed the email address from {1} to {2}").format(
			frappe.session.user, normalise_email(old) or "-", normalise_email(new) or "-"
		),
	)
	revoke_links(account, _("The email address changed."))
	cut_off_login(account.user)
	if normalise_email(old) and is_valid_email(normalise_email(old)):
		notify_old_address(account, normalise_email(old))
	if normalise_email(new) and is_valid_email(normalise_email(new)):
		reverify(account)


def notify_old_address(account: Any, address: str) -> None:
	"""Tell the old address its account moved on; no name, no health data, no link."""
	with in_language(frappe.db.get_value("Patient", account.patient, "language")):
		context = {"clinic_name": clinic_name(), "changed_on": format_datetime(now_datetime())}
		subject = _("The email address of your {0} patient portal account was changed").format(clinic_name())
		message = render_mail("portal_onboarding/templates/emails/portal_email_changed.html", context)
	send_mail([address], subject, message, ACCOUNT, account.name)


def on_patient_email_change(patient: Document) -> None:
	"""Patient on_update: follow a new email on the patient's own account.

	Active → the guard: suspended until the login's own password confirms the new address, unless a
	portal admin gives a first address to an account that had none (it is taken as it is). Invited →
	from a portal admin, the link follows the address (a new invitation to it); from anyone else the
	link is withdrawn and waits for an admin. Otherwise the account just takes the new address, so
	the next invitation (an admin's) goes there.
	"""
	before = patient.get_doc_before_save()
	if not before or not email_changed(before.email, patient.email):
		return
	name = frappe.db.get_value(ACCOUNT, {"patient": patient.name, "access_type": AccessType.SELF})
	if not name:
		return
	with acting():
		lock_patient_row(patient.name)
		account = frappe.get_doc(ACCOUNT, name, for_update=True)
		old = account.contact_email or before.email
		if needs_guard(account, old, patient.email) and first_address_from_admin(old, patient.email):
			refresh_self_contact(account, patient)
			log_event(
				EventType.EMAIL_CHANGED,
				account.name,
				account.patient,
				_("{0} added the email address {1}").format(
					frappe.session.user, normalise_email(patient.email)
				),
			)
			return
		if needs_guard(account, old, patient.email):
			suspend_for_new_address(account, old, patient.email)
			account.save(ignore_permissions=True)
			after_address_change(account, old, patient.email)
			return
		refresh_self_contact(account, patient)
		if account.status != S.INVITED:
			return
		if is_portal_admin():
			reinvite(patient.name)
		else:
			hold_invitation(account, old, patient.email)


def hold_invitation(account: Any, old: str | None, new: str | None) -> None:
	"""A staff edit of an Invited patient's email: the link dies and the account waits for an admin.

	Staff read the date of birth and ZIP code the identity check asks, so a link that followed the
	address they typed would hand them the account; no link leaves from a non-admin session.
	"""
	reason = _(
		"{0} changed the email address to {1}: the invitation was withdrawn until a portal admin "
		"checks the change and invites again."
	).format(frappe.session.user, normalise_email(new) or "-")
	revoke_live_invitations(account.name, _("The email address changed."))
	account.status = S.ENABLED
	account.status_reason = reason
	account.save(ignore_permissions=True)
	frappe.db.set_value("Patient", account.patient, PORTAL_REASON_FIELD, reason, update_modified=False)
	log_event(
		EventType.EMAIL_CHANGED,
		account.name,
		account.patient,
		_("{0} changed the email address from {1} to {2}; the invitation waits for a portal admin").format(
			frappe.session.user, normalise_email(old) or "-", normalise_email(new) or "-"
		),
	)


def reinvite(patient: str) -> None:
	"""Send the live invitation again, to the new address; a refusal is shown on the Patient."""
	frappe.db.savepoint("portal_reinvite")
	try:
		invite(patient)
	except frappe.ValidationError as e:
		frappe.db.rollback(save_point="portal_reinvite")
		reason = strip_html(str(e).replace("<br>", " ")) or _(
			"The invitation could not follow the new address."
		)
		revoke_live_invitations(
			frappe.db.get_value(ACCOUNT, {"patient": patient, "access_type": AccessType.SELF}),
			_("The email address changed."),
		)
		frappe.db.set_value("Patient", patient, PORTAL_REASON_FIELD, reason, update_modified=False)
