# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from portal_onboarding.core.tokens import looks_like_hash
from portal_onboarding.security.actions import in_app_action


class PatientPortalPasswordReset(Document):
	"""One password reset link mailed to the holder of an account; only its hash is kept."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		account: DF.Link
		expires_on: DF.Datetime
		patient: DF.Link | None
		requested_by: DF.Link | None
		sent_on: DF.Datetime | None
		sent_to: DF.Data | None
		status: DF.Literal["Sent", "Used", "Expired", "Revoked"]
		token_hash: DF.Data | None
		used_on: DF.Datetime | None
		user: DF.Link | None
	# end: auto-generated types

	def before_insert(self) -> None:
		self.requested_by = frappe.session.user

	def validate(self) -> None:
		if not in_app_action():
			frappe.throw(
				_("Password reset links cannot be changed by hand. Send a new one from the portal account."),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
		if self.token_hash and not looks_like_hash(self.token_hash):
			frappe.throw(
				_("Token Hash must be the SHA-256 digest of the reset token, never the token itself.")
			)
