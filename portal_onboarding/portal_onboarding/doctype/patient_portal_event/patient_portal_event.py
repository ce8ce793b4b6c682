# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from portal_onboarding.exceptions import ImmutableAuditEvent


class PatientPortalEvent(Document):
	"""An append-only audit record: written once by the app, never changed or deleted."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		account: DF.Link | None
		actor: DF.Link | None
		client_ip: DF.Data | None
		details: DF.SmallText | None
		event_type: DF.Literal[
			"Account Created",
			"Status Changed",
			"Access Changed",
			"Portal Enabled",
			"Portal Disabled",
			"Invitation Sent",
			"Invitation Resent",
			"Invitation Failed",
			"Invitation Revoked",
			"Identity Check Failed",
			"Account Activated",
			"Invitation Expired",
			"Account Deleted",
			"Invitation Refused",
			"Account Suspended",
			"Account Reactivated",
			"Password Reset Sent",
			"Password Reset Used",
			"Password Changed",
			"Credentials Set",
			"Login Removed",
			"Marked for Deletion",
			"Deletion Cancelled",
			"Personal Data Deleted",
			"Email Changed",
			"Account Migrated",
			"Invitation Reminder Sent",
			"Sign-up Verified",
			"Sign-up Approved",
			"Sign-up Rejected",
			"Password Reset Requested",
			"Form Requested",
			"Form Submitted",
			"Form Request Cancelled",
			"Login Migration Skipped",
			"Document Shared",
			"Document Unshared",
		]
		patient: DF.Link | None
		timestamp: DF.Datetime
	# end: auto-generated types

	def validate(self) -> None:
		if not self.is_new():
			frappe.throw(
				_("Patient Portal Events are an audit log and cannot be changed."),
				exc=ImmutableAuditEvent,
				title=_("Audit Log"),
			)

	def on_trash(self) -> None:
		frappe.throw(
			_("Patient Portal Events are an audit log and cannot be deleted."),
			exc=ImmutableAuditEvent,
			title=_("Audit Log"),
		)
