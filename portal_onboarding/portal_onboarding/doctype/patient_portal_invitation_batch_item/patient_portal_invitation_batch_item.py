# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from portal_onboarding.security.actions import in_app_action


class PatientPortalInvitationBatchItem(Document):
	"""One patient's outcome in a bulk invitation run."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		account: DF.Link | None
		batch: DF.Link
		invitation: DF.Link | None
		outcome: DF.Literal["Pending", "Sent", "Skipped", "Failed"]
		patient: DF.Link
		patient_name: DF.Data | None
		reason: DF.SmallText | None
	# end: auto-generated types

	def validate(self) -> None:
		if not in_app_action():
			frappe.throw(
				_("Batch outcomes are recorded by the batch itself."),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
