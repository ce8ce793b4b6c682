# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from portal_onboarding.security.actions import in_app_action


class PatientPortalInvitationBatch(Document):
	"""One bulk invitation run: its progress and counts; each patient's outcome is a Batch Item."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		error: DF.SmallText | None
		failed: DF.Int
		finished_on: DF.Datetime | None
		last_progress_on: DF.Datetime | None
		mode: DF.Literal["Selected Patients", "All Eligible Not Yet Invited"]
		requested_by: DF.Link | None
		runs: DF.Int
		sent: DF.Int
		skipped: DF.Int
		started_on: DF.Datetime | None
		status: DF.Literal["Queued", "Running", "Completed", "Failed"]
		total: DF.Int
	# end: auto-generated types

	def validate(self) -> None:
		if not in_app_action():
			frappe.throw(
				_("Invitation batches are started from the Patient Portal Onboarding report."),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
