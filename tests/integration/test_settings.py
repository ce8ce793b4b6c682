import frappe
from frappe.tests.utils import FrappeTestCase

from portal_onboarding.constants import SETTINGS
from portal_onboarding.exceptions import InvalidSettings
from portal_onboarding.settings import default_portal_sections, eligibility_rules, get_settings


class TestSettings(FrappeTestCase):
	def test_defaults(self):
		settings = frappe.get_single(SETTINGS)
		self.assertEqual(settings.invitation_lifetime_hours, 72)
		self.assertEqual(settings.invite_on_patient_creation, 0)
		self.assertEqual(settings.require_email, 1)
		self.assertEqual(settings.require_home_zip, 1)
		self.assertEqual(settings.require_identity_check, 1)
		self.assertEqual(
			frappe.get_meta(SETTINGS).get_field("invitation_email_template").options, "Email Template"
		)

	def test_lifetime_out_of_bounds_is_refused_naming_the_field(self):
		for hours in (0, 721, 10_000):
			settings = frappe.get_single(SETTINGS)
			settings.invitation_lifetime_hours = hours
			with self.assertRaises(InvalidSettings) as ctx:
				settings.save()
			self.assertIn("Invitation Lifetime (Hours)", str(ctx.exception))
			self.assertIn(str(hours), str(ctx.exception))

	def test_lifetime_within_bounds_is_saved_and_read_through_the_accessor(self):
		settings = frappe.get_single(SETTINGS)
		settings.invitation_lifetime_hours = 720
		settings.require_home_zip = 0
		settings.set("default_portal_sections", [{"portal_section": "Appointments"}])
		settings.save()
		self.assertEqual(get_settings().invitation_lifetime_hours, 720)
		self.assertFalse(eligibility_rules().require_home_zip)
		self.assertEqual(default_portal_sections(), ["Appointments"])

	def test_negative_reminders_are_refused(self):
		settings = frappe.get_single(SETTINGS)
		settings.max_reminders = -1
		with self.assertRaises(frappe.ValidationError):
			settings.save()
