# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from portal_onboarding.security.actions import in_app_action


class PatientPortalDocument(Document):
	"""A file staff chose to share with the patient portal; the portal shows nothing else."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		file: DF.Link
		file_size: DF.Int
		patient: DF.Link
		patient_name: DF.Data | None
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		shared_by: DF.Link | None
		shared_on: DF.Datetime | None
		title: DF.Data
	# end: auto-generated types

	def validate(self) -> None:
		self.refuse_by_hand()

	def on_trash(self) -> None:
		self.refuse_by_hand()

	def refuse_by_hand(self) -> None:
		# Sharing changes what a portal login can download: only the audited actions may change it.
		if not in_app_action():
			frappe.throw(
				_("Documents are shared and unshared only from the File and Patient forms."),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
