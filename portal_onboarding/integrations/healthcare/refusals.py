"""A portal toggle set on a Patient by someone who may not grant access: cleared, said and audited."""

import frappe
from frappe.model.document import Document

from portal_onboarding.constants import EventType
from portal_onboarding.primitives.audit import log_event


def refuse(doc: Document, message: str, title: str, audit: str) -> None:
	"""Tell the user at save; the audit event (`audit`) is written once the Patient is saved."""
	doc.flags.setdefault("portal_refusals", []).append(audit)
	frappe.msgprint(message, title=title, indicator="orange")


def audit_refusals(doc: Document) -> None:
	"""Patient after_insert/on_update: one Invitation Refused event per refusal of this save."""
	for details in doc.flags.pop("portal_refusals", None) or []:
		log_event(EventType.INVITATION_REFUSED, None, doc.name, details)
