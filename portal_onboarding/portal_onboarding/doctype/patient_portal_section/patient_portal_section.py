# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class PatientPortalSection(Document):
	pass
