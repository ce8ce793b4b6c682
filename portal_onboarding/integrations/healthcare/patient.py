"""Patient doc_events: quick checks only; the slow work runs in a job after commit."""

import frappe
from frappe.model.document import Document

from portal_onboarding.constants import SEND_INVITATION_FIELD
from portal_onboarding.settings import get_settings


def validate(doc: Document, method: str | None = None) -> None:
	"""Take over Marley's 'Invite as User': our invitation replaces its synchronous User creation."""
	if doc.get("invite_user") and not doc.get("user_id"):
		doc.invite_user = 0
		doc.set(SEND_INVITATION_FIELD, 1)


def after_insert(doc: Document, method: str | None = None) -> None:
	settings = get_settings()
	invite = bool(doc.get(SEND_INVITATION_FIELD) or settings.invite_on_patient_creation)
	if invite or settings.auto_enable_manual_patients:
		enqueue_onboarding(doc.name, invite)


def on_update(doc: Document, method: str | None = None) -> None:
	if doc.flags.in_insert or not doc.get(SEND_INVITATION_FIELD):
		return
	if doc.has_value_changed(SEND_INVITATION_FIELD):
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
