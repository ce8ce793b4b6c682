# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from portal_onboarding.security.actions import in_app_action


class PatientPortalInvitationBatch(Document):
	"""One bulk invitation run: its progress and counts; each patient's outcome is a Batch Item."""

	def validate(self) -> None:
		if not in_app_action():
			frappe.throw(
				_("Invitation batches are started from the Patient Portal Onboarding report."),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
