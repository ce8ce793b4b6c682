import frappe
from frappe.tests.utils import FrappeTestCase

from portal_onboarding.constants import EVENT, EventType
from portal_onboarding.exceptions import ImmutableAuditEvent
from portal_onboarding.primitives.audit import log_event
from tests.integration.factories import make_account, make_patient


class TestAuditLog(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.patient = make_patient()
		self.account = make_account(self.patient.name)
		self.event = frappe.get_doc(
			EVENT, log_event(EventType.PORTAL_ENABLED, self.account.name, self.patient.name, "test")
		)

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_event_records_who_what_and_when(self):
		self.assertTrue(self.event.name.startswith("PPE-"))
		self.assertEqual(self.event.actor, "Administrator")
		self.assertEqual(self.event.event_type, EventType.PORTAL_ENABLED)
		self.assertIsNotNone(self.event.timestamp)

	def test_event_cannot_be_changed_even_by_administrator(self):
		self.event.details = "rewritten"
		with self.assertRaises(ImmutableAuditEvent):
			self.event.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value(EVENT, self.event.name, "details"), "test")

	def test_event_cannot_be_changed_through_the_client_api(self):
		from frappe.client import set_value

		with self.assertRaises(frappe.PermissionError):
			set_value(EVENT, self.event.name, "details", "rewritten")
		self.assertEqual(frappe.db.get_value(EVENT, self.event.name, "details"), "test")

	def test_event_cannot_be_deleted_even_by_administrator(self):
		with self.assertRaises(ImmutableAuditEvent):
			frappe.delete_doc(EVENT, self.event.name, ignore_permissions=True)
		self.assertTrue(frappe.db.exists(EVENT, self.event.name))

	def test_no_role_may_write_create_or_delete_events(self):
		for perm in frappe.get_meta(EVENT).permissions:
			self.assertFalse(perm.write or perm.create or perm.delete, perm.role)
		self.assertTrue(frappe.get_meta(EVENT).in_create)

	def test_deleting_an_account_keeps_its_events(self):
		frappe.delete_doc("Patient Portal Account", self.account.name)
		self.assertTrue(frappe.db.exists(EVENT, self.event.name))
