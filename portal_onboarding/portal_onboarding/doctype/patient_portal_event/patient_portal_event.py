# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from portal_onboarding.exceptions import ImmutableAuditEvent


class PatientPortalEvent(Document):
	"""An append-only audit record: written once by the app, never changed or deleted."""

	def validate(self) -> None:
		if not self.is_new():
			frappe.throw(
				_("Patient Portal Events are an audit log and cannot be changed."),
				exc=ImmutableAuditEvent,
				title=_("Audit Log"),
			)

	def on_trash(self) -> None:
		frappe.throw(
			_("Patient Portal Events are an audit log and cannot be deleted."),
			exc=ImmutableAuditEvent,
			title=_("Audit Log"),
		)
