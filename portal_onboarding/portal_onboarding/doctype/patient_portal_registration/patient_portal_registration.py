# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from portal_onboarding.constants import RegistrationStatus
from portal_onboarding.core.tokens import looks_like_hash
from portal_onboarding.security.actions import in_app_action

# What a manager may set by hand: which Patient the person is, while the request waits for review.
EDITABLE_BY_HAND = {"patient", "patient_name"}


class PatientPortalRegistration(Document):
	"""A sign-up from the portal: pending until its email is confirmed, then opened or reviewed."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		account: DF.Link | None
		auto_approved: DF.Check
		date_of_birth: DF.Date | None
		email: DF.Data | None
		expires_on: DF.Datetime | None
		first_name: DF.Data | None
		home_zip: DF.Data | None
		invitation: DF.Link | None
		language: DF.Link | None
		last_name: DF.Data | None
		patient: DF.Link | None
		patient_name: DF.Data | None
		rejection_reason: DF.SmallText | None
		requested_on: DF.Datetime | None
		reviewed_by: DF.Link | None
		reviewed_on: DF.Datetime | None
		status: DF.Literal["Pending Verification", "Awaiting Review", "Approved", "Rejected", "Expired"]
		token_hash: DF.Data | None
		verified_on: DF.Datetime | None
		wait_reason: DF.Data | None
	# end: auto-generated types

	def validate(self) -> None:
		if self.token_hash and not looks_like_hash(self.token_hash):
			frappe.throw(_("Token Hash must be the SHA-256 digest of the link's key, never the key itself."))
		if in_app_action() or self.is_new():
			return
		changed = [
			df.fieldname
			for df in self.meta.fields
			if df.fieldname not in EDITABLE_BY_HAND and self.has_value_changed(df.fieldname)
		]
		if changed:
			frappe.throw(
				_("A sign-up request keeps what the person typed. Use Approve or Reject to act on it."),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
		if self.has_value_changed("patient") and self.status != RegistrationStatus.AWAITING_REVIEW:
			frappe.throw(
				_("Only a request awaiting review can be linked to a Patient."),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)

	def before_insert(self) -> None:
		if not in_app_action():
			frappe.throw(
				_("Sign-up requests come from the portal's sign-up page only."),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
