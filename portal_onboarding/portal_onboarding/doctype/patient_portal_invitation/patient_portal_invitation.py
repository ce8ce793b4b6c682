# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_datetime, now_datetime

from portal_onboarding.core.tokens import looks_like_hash
from portal_onboarding.exceptions import InvalidInvitation


class PatientPortalInvitation(Document):
	def before_insert(self) -> None:
		self.created_by = frappe.session.user

	def validate(self) -> None:
		if self.token_hash and not looks_like_hash(self.token_hash):
			frappe.throw(
				_("Token Hash must be the SHA-256 digest of the invitation token, never the token itself."),
				exc=InvalidInvitation,
			)
		if self.is_new() and get_datetime(self.expires_on) <= now_datetime():
			frappe.throw(_("Expires On must be in the future."), exc=InvalidInvitation)
