# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today

from portal_onboarding.accounts.email_change import after_address_change, needs_guard, suspend_for_new_address
from portal_onboarding.accounts.last_login import last_login_of
from portal_onboarding.accounts.management import sign_in_address
from portal_onboarding.constants import ACCOUNT, AccessType, EventType
from portal_onboarding.core.account_actions import available_actions
from portal_onboarding.core.eligibility import email_changed, normalise_email
from portal_onboarding.core.status import check_transition
from portal_onboarding.core.usernames import base_username, normalise_username, suggest_username
from portal_onboarding.core.validation import AccountInput, check_account
from portal_onboarding.exceptions import (
	DuplicateSelfAccount,
	IllegalStatusTransition,
	InvalidAccount,
	UsernameTaken,
	throw_reasons,
)
from portal_onboarding.permissions import is_portal_admin
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.links import revoke_live_invitations, revoke_live_resets
from portal_onboarding.primitives.locks import lock_patient_row
from portal_onboarding.primitives.logins import forget_forced_change, retire_user_if_unused, username_taken
from portal_onboarding.primitives.status import refresh_portal_status
from portal_onboarding.representatives.renewal import check_proxy_end
from portal_onboarding.security import portal_gate
from portal_onboarding.security.actions import acting, in_app_action
from portal_onboarding.settings import default_portal_sections

AUDITED_ACCESS_FIELDS = (
	"access_type",
	"access_valid_until",
	"user",
	"username",
	"force_password_change",
	"contact_email",
	"contact_mobile",
)
# What only the app's own actions may set: who the grant is for, on which login, in which state.
APP_ONLY_FIELDS = (
	"patient",
	"access_type",
	"status",
	"user",
	"username",
	"activated_on",
	"last_invited_on",
	# The age policy's facts: who chose the person, guardianship and assent (their own actions).
	"adult_proxy",
	"aged_out_on",
	"teen_assent_on",
	"teen_assent_by",
	"guardian_of_adult",
	"guardianship_until",
	"guardianship_document",
)


class PatientPortalAccount(Document):
	"""One login's grant on one patient."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from portal_onboarding.portal_onboarding.doctype.patient_portal_section.patient_portal_section import (
			PatientPortalSection,
		)

		access_type: DF.Literal["Self", "Authorized Representative"]
		access_valid_until: DF.Date | None
		activated_on: DF.Datetime | None
		audit_trail: DF.HTML | None
		contact_email: DF.Data | None
		contact_mobile: DF.Data | None
		first_name: DF.Data
		force_password_change: DF.Check
		last_invited_on: DF.Datetime | None
		last_login: DF.Datetime | None
		last_name: DF.Data | None
		patient: DF.Link
		patient_name: DF.Data | None
		pending_delete_on: DF.Datetime | None
		permitted_sections: DF.Table[PatientPortalSection]
		relation: DF.Literal["", "Parent", "Legal Guardian", "Carer", "Spouse or Partner", "Child", "Other"]
		self_account_of: DF.Data | None
		status: DF.Literal[
			"Not Enabled",
			"Enabled",
			"Invited",
			"Active",
			"Suspended",
			"Pending Delete",
			"Invite Expired",
			"Invite Failed",
		]
		status_reason: DF.SmallText | None
		user: DF.Link | None
		username: DF.Data | None
	# end: auto-generated types

	def check_if_latest(self) -> None:
		# Desk saves lock the account row here; take the patient's row first, as every access change does.

		lock_patient_row(self.patient)
		super().check_if_latest()

	def before_insert(self) -> None:
		if not self.permitted_sections:
			for section in default_portal_sections():
				self.append("permitted_sections", {"portal_section": section})

	def onload(self) -> None:

		if is_portal_admin():
			self.set_onload("actions", available_actions(self.status, bool(self.user)))
			# For the credentials the admin copies or prints: the clinic's portal address.
			self.set_onload("sign_in", sign_in_address())

	def validate(self) -> None:
		self.guard_app_only_fields()
		self.guard_contact_email()
		self.username = normalise_username(self.username or "") or self.suggest_username()
		self.self_account_of = self.patient if self.access_type == AccessType.SELF else None
		# Frappe's record, not what the form was opened with: the login may have signed in since.
		self.last_login = last_login_of(self.user)
		before = self.get_doc_before_save()
		throw_reasons(
			check_account(
				AccountInput(
					access_type=self.access_type,
					username=self.username,
					relation=self.relation,
					access_valid_until=getdate(self.access_valid_until) if self.access_valid_until else None,
					access_valid_until_changed=self.is_new() or self.has_value_changed("access_valid_until"),
				),
				getdate(today()),
			),
			InvalidAccount,
		)
		check_proxy_end(self)
		# Both hold from one save to the next unless what they check changed (bulk invitations save
		# each account several times).
		if self.is_new() or self.has_value_changed("access_type") or self.has_value_changed("patient"):
			self.validate_single_self_account()
		if self.is_new() or self.has_value_changed("username") or self.has_value_changed("user"):
			self.validate_username_free()
		if before and before.status != self.status:
			reason = check_transition(before.status, self.status)
			if reason:
				throw_reasons([reason], IllegalStatusTransition)

	def after_insert(self) -> None:
		log_event(
			EventType.ACCOUNT_CREATED, self.name, self.patient, _("Access type: {0}").format(self.access_type)
		)

	def on_update(self) -> None:
		before = self.get_doc_before_save()
		if before and before.status != self.status:
			log_event(
				EventType.STATUS_CHANGED,
				self.name,
				self.patient,
				_("{0} → {1}").format(before.status, self.status),
			)
		changed = [f for f in AUDITED_ACCESS_FIELDS if before and self.has_value_changed(f)]
		if before and section_keys(before) != section_keys(self):
			changed.append("permitted_sections")
		if changed:
			log_event(
				EventType.ACCESS_CHANGED,
				self.name,
				self.patient,
				", ".join(
					f"{_(self.meta.get_label(f))}: {audit_value(before, f)} → {audit_value(self, f)}"
					for f in changed
				),
			)
		refresh_portal_status(self.patient)
		if before and (self.has_value_changed("force_password_change") or self.has_value_changed("user")):
			forget_forced_change(self.user)
			forget_forced_change(before.user)
		if before and self.has_value_changed("user"):
			portal_gate.forget(self.user)
			portal_gate.forget(before.user)
		address_change = self.flags.pop("address_change", None)
		if address_change:
			with acting():
				after_address_change(self, *address_change)

	def on_trash(self) -> None:

		lock_patient_row(self.patient)
		revoke_live_invitations(self.name, _("The portal account was deleted."))
		revoke_live_resets(self.name, _("The portal account was deleted."))
		if self.flags.purging:
			return  # the deletion job writes its own event, without the personal details
		log_event(
			EventType.ACCOUNT_DELETED,
			self.name,
			self.patient,
			_("{0} account of {1}, login {2}, was {3}").format(
				_(self.access_type), self.patient_name or self.patient, self.username, _(self.status)
			),
		)

	def after_delete(self) -> None:

		if self.user:
			retire_user_if_unused(self.user, leaving=self.name)
		refresh_portal_status(self.patient)

	def guard_app_only_fields(self) -> None:
		"""Accounts are made, and change grant, login and state, only through the app's actions."""
		if in_app_action():
			return
		if self.is_new():
			frappe.throw(
				_(
					"Portal accounts are created from the Patient, with the Portal actions "
					"(Enable portal access, Send invitation, Invite a representative)."
				),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
		before = self.get_doc_before_save()
		# has_value_changed compares typed values: Desk sends dates and datetimes as strings.
		changed = [f for f in APP_ONLY_FIELDS if before and self.has_value_changed(f)]
		if before and section_keys(before) != section_keys(self):
			changed.append("permitted_sections")
		if changed:
			frappe.throw(
				_("{0} can only be changed with the portal account actions.").format(
					", ".join(_(self.meta.get_label(f)) for f in changed)
				),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)

	def guard_contact_email(self) -> None:
		"""A Desk edit of the contact email: a Self account's is the patient's; a new address on an
		Active representative account goes through the email-change guard."""
		if in_app_action() or self.is_new():
			return
		before = self.get_doc_before_save()
		if not before or not email_changed(before.contact_email, self.contact_email):
			return
		if self.access_type == AccessType.SELF:
			frappe.throw(
				_("A Self account uses the patient's own email: change it on Patient {0}.").format(
					frappe.bold(self.patient)
				),
				exc=InvalidAccount,
				title=_("Not Saved"),
			)
		self.contact_email = normalise_email(self.contact_email)
		if needs_guard(before, before.contact_email, self.contact_email):
			suspend_for_new_address(self, before.contact_email, self.contact_email)
			self.flags.address_change = (before.contact_email, self.contact_email)

	def validate_single_self_account(self) -> None:
		if self.access_type != AccessType.SELF:
			return
		other = frappe.db.exists(
			ACCOUNT, {"patient": self.patient, "access_type": AccessType.SELF, "name": ("!=", self.name)}
		)
		if other:
			frappe.throw(
				_("Access Type: patient {0} already has a Self portal account ({1}).").format(
					frappe.bold(self.patient), other
				),
				exc=DuplicateSelfAccount,
				title=_("Not Saved"),
			)

	def validate_username_free(self) -> None:
		if username_taken(self.username, self.name, self.user):
			frappe.throw(
				_("Username {0} is already taken; choose another.").format(frappe.bold(self.username)),
				exc=UsernameTaken,
				title=_("Not Saved"),
			)

	def suggest_username(self) -> str:
		base = base_username(self.first_name, self.last_name, self.contact_email)
		pattern = f"{base}%"
		taken = frappe.get_all(ACCOUNT, filters={"username": ("like", pattern)}, pluck="username")
		taken += frappe.get_all("User", filters={"username": ("like", pattern)}, pluck="username")
		return suggest_username(self.first_name, self.last_name, self.contact_email, taken)


def section_keys(account: Document) -> list[str]:
	return sorted(row.portal_section for row in account.get("permitted_sections") or [])


def audit_value(account: Document, fieldname: str) -> str:
	if fieldname == "permitted_sections":
		return ", ".join(section_keys(account)) or "-"
	return str(account.get(fieldname) or "-")
