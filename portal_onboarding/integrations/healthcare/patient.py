"""Patient doc_events: quick checks only; the slow work runs in a job after commit."""

import frappe
from frappe import _
from frappe.model.document import Document

from portal_onboarding.accounts import email_change, management
from portal_onboarding.constants import SEND_INVITATION_FIELD
from portal_onboarding.integrations.healthcare import carer
from portal_onboarding.integrations.healthcare.refusals import audit_refusals, refuse
from portal_onboarding.permissions import is_portal_admin
from portal_onboarding.primitives.status import forget_status_counts
from portal_onboarding.reporting import search
from portal_onboarding.settings import get_settings


def validate(doc: Document, method: str | None = None) -> None:
	"""The invitation toggle, and Marley's hidden 'Invite as User' it replaces, count only from an admin.

	Physicians, nurses and lab users may write Patient; they must not be able to hand out portal
	access by ticking a box, so their tick is cleared and they are told to ask an admin. The same holds
	for a carer typed on the form, whose details must also be right (`carer.validate`).
	"""
	carer.validate(doc)
	wants_invite = bool(doc.get(SEND_INVITATION_FIELD)) and (
		doc.is_new() or doc.has_value_changed(SEND_INVITATION_FIELD)
	)
	if doc.get("invite_user"):
		# Marley's synchronous User creation never runs: our invitation takes its place.
		doc.invite_user = 0
		wants_invite = wants_invite or not doc.get("user_id")
	if not wants_invite:
		return
	if is_portal_admin():
		doc.set(SEND_INVITATION_FIELD, 1)
		return
	doc.set(SEND_INVITATION_FIELD, 0)
	refuse(
		doc,
		_(
			"The portal invitation was not sent: only a System Manager or Portal Onboarding Manager "
			"can invite patients to the portal. Please ask an admin to invite this patient."
		),
		_("Portal invitation not sent"),
		_("{0} does not hold a portal admin role; the invitation toggle was cleared.").format(
			frappe.session.user
		),
	)


def after_insert(doc: Document, method: str | None = None) -> None:
	forget_status_counts()  # one more Not Enabled patient on the onboarding report
	audit_refusals(doc)
	carer.after_save(doc)
	settings = get_settings()
	invite = bool(doc.get(SEND_INVITATION_FIELD) or settings.invite_on_patient_creation)
	if invite or settings.auto_enable_manual_patients:
		enqueue_onboarding(doc.name, invite)


def on_update(doc: Document, method: str | None = None) -> None:
	search.index_patient(doc)  # on insert too: the report's search finds the patient at once
	if doc.flags.in_insert:
		return
	if doc.has_value_changed("dob"):
		forget_status_counts()  # the report's count of patients turning adult
	audit_refusals(doc)
	carer.after_save(doc)
	email_change.on_patient_email_change(doc)
	if doc.get(SEND_INVITATION_FIELD) and doc.has_value_changed(SEND_INVITATION_FIELD):
		enqueue_onboarding(doc.name, invite=True)


def enqueue_onboarding(patient: str, invite: bool) -> None:
	# No deduplicate: its lookup would cost every save a Redis round trip, and a second job for the
	# same patient is harmless (invite() hands back an invitation that is still queued).
	frappe.enqueue(
		"portal_onboarding.jobs.onboard_patient",
		patient=patient,
		invite=invite,
		enqueue_after_commit=True,
		job_id=f"portal_onboarding:onboard:{patient}",
	)


def after_rename(doc: Document, method: str | None, old: str, new: str, merge: bool = False) -> None:
	search.rename(old, new, merge)


def on_trash(doc: Document, method: str | None = None) -> None:
	forget_status_counts()
	search.forget([doc.name])
	management.on_patient_deleted(doc.name)
