# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

from frappe import _
from frappe.model.document import Document
from frappe.utils import cint

from portal_onboarding.core.validation import SettingsInput, check_settings
from portal_onboarding.exceptions import InvalidSettings, throw_reasons


class PortalOnboardingSettings(Document):
	def validate(self) -> None:
		reasons = check_settings(
			SettingsInput(
				invitation_lifetime_hours=cint(self.invitation_lifetime_hours),
				reminder_after_days=cint(self.reminder_after_days),
				max_reminders=cint(self.max_reminders),
			)
		)
		throw_reasons(reasons, InvalidSettings, _("Invalid Portal Onboarding Settings"))
