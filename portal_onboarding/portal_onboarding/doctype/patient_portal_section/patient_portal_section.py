# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class PatientPortalSection(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		portal_section: DF.Literal[
			"Appointments",
			"Lab Results",
			"Prescriptions",
			"Medical Records",
			"Invoices",
			"Documents",
			"Forms",
		]
	# end: auto-generated types
	pass
