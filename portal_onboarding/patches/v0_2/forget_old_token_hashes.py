"""Invitations no longer keep a version history, and dead links no longer keep their token hash."""

import frappe

from portal_onboarding.constants import INVITATION, InvitationStatus


def execute() -> None:
	frappe.db.delete("Version", {"ref_doctype": INVITATION})
	frappe.db.set_value(
		INVITATION, {"status": ("!=", InvitationStatus.SENT)}, "token_hash", None, update_modified=False
	)
