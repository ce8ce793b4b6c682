# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_datetime, now_datetime

from portal_onboarding.core.tokens import looks_like_hash
from portal_onboarding.exceptions import InvalidInvitation
from portal_onboarding.security.actions import in_app_action


class PatientPortalInvitation(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		accepted_on: DF.Datetime | None
		account: DF.Link
		channel: DF.Literal["Email", "SMS", "Both"]
		created_by: DF.Link | None
		expires_on: DF.Datetime
		failure_reason: DF.SmallText | None
		identity_attempts: DF.Int
		identity_verified_on: DF.Datetime | None
		last_reminder_on: DF.Datetime | None
		opened_on: DF.Datetime | None
		patient: DF.Link | None
		reminder_token_hash: DF.Data | None
		reminders_sent: DF.Int
		reverification: DF.Check
		send_attempts: DF.Int
		sent_on: DF.Datetime | None
		sent_to: DF.Data | None
		sms_status: DF.Literal["Not Requested", "Sent", "Failed"]
		status: DF.Literal["Queued", "Sent", "Failed", "Accepted", "Expired", "Revoked"]
		token_hash: DF.Data | None

	# end: auto-generated types
	def before_insert(self) -> None:
		self.created_by = frappe.session.user

	def validate(self) -> None:
		if not in_app_action():
			# Status, attempts and expiry are the link's security: nobody edits them, whatever their role.
			frappe.throw(
				_(
					"Invitations cannot be changed by hand. To give the person a new link, send a new invitation."
				),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
		if any(value and not looks_like_hash(value) for value in (self.token_hash, self.reminder_token_hash)):
			frappe.throw(
				_("Token Hash must be the SHA-256 digest of the invitation token, never the token itself."),
				exc=InvalidInvitation,
			)
		if self.is_new() and get_datetime(self.expires_on) <= now_datetime():
			frappe.throw(_("Expires On must be in the future."), exc=InvalidInvitation)
