# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint

from portal_onboarding.constants import PORTAL_SECTIONS
from portal_onboarding.core.age_policy import (
	DEFAULT_MAJORITY_AGE,
	DEFAULT_PARTIAL_AGE,
	DEFAULT_PROXY_MONTHS,
	AgePolicy,
	policy_problem,
)
from portal_onboarding.core.reminders import ReminderPolicy, reminders_never_due
from portal_onboarding.core.validation import SettingsInput, check_settings
from portal_onboarding.exceptions import InvalidSettings, throw_reasons
from portal_onboarding.setup.upkeep import settings_notices


class PortalOnboardingSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from portal_onboarding.portal_onboarding.doctype.patient_portal_section.patient_portal_section import (
			PatientPortalSection,
		)

		auto_enable_manual_patients: DF.Check
		auto_enable_verified_sign_up: DF.Check
		default_portal_sections: DF.Table[PatientPortalSection]
		delete_after_days: DF.Int
		invitation_email_template: DF.Link | None
		invitation_lifetime_hours: DF.Int
		invite_on_patient_creation: DF.Check
		max_reminders: DF.Int
		password_reset_lifetime_hours: DF.Int
		portal_base_url: DF.Data | None
		release_allergies: DF.Check
		release_clinical_procedures: DF.Check
		release_diagnoses: DF.Check
		release_medical_history: DF.Check
		release_medications: DF.Check
		release_vital_signs: DF.Check
		reminder_after_days: DF.Int
		replaced_marley_portal: DF.LongText | None
		require_email: DF.Check
		require_home_zip: DF.Check
		require_identity_check: DF.Check
		send_sms_notice: DF.Check
		trusted_proxies: DF.SmallText | None

	# end: auto-generated types
	def onload(self) -> None:
		self.set_onload("upkeep", settings_notices(self))

	def validate(self) -> None:
		reasons = check_settings(
			SettingsInput(
				invitation_lifetime_hours=cint(self.invitation_lifetime_hours),
				reminder_after_days=cint(self.reminder_after_days),
				max_reminders=cint(self.max_reminders),
				password_reset_lifetime_hours=cint(self.password_reset_lifetime_hours),
				delete_after_days=cint(self.delete_after_days),
				trusted_proxies=self.trusted_proxies,
				portal_base_url=self.portal_base_url,
			)
		)
		# Rows saved before these fields existed hold no value: they mean the defaults.
		self.partial_access_age = cint(self.partial_access_age) or DEFAULT_PARTIAL_AGE
		self.majority_age = cint(self.majority_age) or DEFAULT_MAJORITY_AGE
		self.proxy_max_months = cint(self.proxy_max_months) or DEFAULT_PROXY_MONTHS
		age_reason = policy_problem(
			AgePolicy(
				partial_age=cint(self.partial_access_age),
				partial_sections=frozenset(row.portal_section for row in self.partial_access_sections),
				majority_age=cint(self.majority_age),
			),
			frozenset(PORTAL_SECTIONS),
		)
		if age_reason:
			reasons = [*reasons, age_reason]
		if cint(self.proxy_max_months) < 1 or cint(self.proxy_max_months) > 120:
			frappe.throw(
				_("Longest Proxy Access must be between 1 and 120 months."),
				exc=InvalidSettings,
				title=_("Invalid Portal Onboarding Settings"),
			)
		throw_reasons(reasons, InvalidSettings, _("Invalid Portal Onboarding Settings"))
		self.warn_if_reminders_never_due()

	def warn_if_reminders_never_due(self) -> None:
		"""Saved anyway (nothing is wrong with each number), but the admin learns no reminder will go out."""
		policy = ReminderPolicy(cint(self.reminder_after_days), cint(self.max_reminders))
		if reminders_never_due(policy, cint(self.invitation_lifetime_hours)):
			frappe.msgprint(
				_(
					"Invitations expire after {0} hours, before their first reminder is due after {1} days, "
					"so no reminder will be sent. Lower Send Reminder After (Days) or lengthen the "
					"Invitation Lifetime."
				).format(cint(self.invitation_lifetime_hours), policy.after_days),
				title=_("No Reminders Will Be Sent"),
				indicator="orange",
			)
