# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from portal_onboarding.security.actions import in_app_action


class PatientPortalFormRequest(Document):
	"""A web form the clinic asked a patient to fill in through the portal."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		cancel_reason: DF.SmallText | None
		due_date: DF.Date | None
		form_title: DF.Data | None
		patient: DF.Link
		patient_name: DF.Data | None
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		requested_by: DF.Link | None
		requested_on: DF.Datetime | None
		status: DF.Literal["Requested", "Submitted", "Cancelled"]
		submitted_by: DF.Link | None
		submitted_on: DF.Datetime | None
		web_form: DF.Link
	# end: auto-generated types

	def validate(self) -> None:
		if not in_app_action():
			frappe.throw(
				_("Form requests change only through Request form, Cancel and the patient's submission."),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
