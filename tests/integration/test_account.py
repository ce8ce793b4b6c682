import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, today

from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	PORTAL_STATUS_FIELD,
	SETTINGS,
	AccessType,
	AccountStatus,
	EventType,
)
from portal_onboarding.exceptions import (
	DuplicateSelfAccount,
	IllegalStatusTransition,
	InvalidAccount,
	UsernameTaken,
)
from portal_onboarding.security.actions import acting
from tests.integration.factories import make_account, make_patient, make_user, unique


def events(account: str) -> list[frappe._dict]:
	return frappe.get_all(
		EVENT,
		filters={"account": account},
		fields=["event_type", "details", "actor"],
		order_by="creation asc",
	)


class TestAccount(FrappeTestCase):
	def setUp(self):
		self.patient = make_patient()

	def test_self_account_is_created_and_audited(self):
		account = make_account(self.patient.name, username="  Jane.Doe." + unique("") + "  ")
		self.assertTrue(account.name.startswith("PPA-"))
		self.assertEqual(account.status, AccountStatus.NOT_ENABLED)
		self.assertEqual(account.username, account.username.strip().lower())
		self.assertEqual(account.self_account_of, self.patient.name)
		self.assertEqual(account.patient_name, self.patient.patient_name)
		self.assertEqual([e.event_type for e in events(account.name)], [EventType.ACCOUNT_CREATED])
		self.assertEqual(events(account.name)[0].actor, "Administrator")

	def test_invalid_username_characters_are_refused_naming_the_field(self):
		for username in ("jane doe", "jane@example.com", "<b>x</b>", "ab"):
			with self.assertRaises(InvalidAccount) as ctx:
				make_account(self.patient.name, username=username)
			self.assertIn("Username", str(ctx.exception))
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": self.patient.name}))

	def test_markup_in_a_refused_username_is_escaped(self):
		with self.assertRaises(InvalidAccount) as ctx:
			make_account(self.patient.name, username="<img src=x onerror=alert(1)>")
		self.assertNotIn("<img", str(ctx.exception))
		self.assertIn("&lt;img", str(ctx.exception))

	def test_second_self_account_is_refused(self):
		make_account(self.patient.name)
		with self.assertRaises(DuplicateSelfAccount) as ctx:
			make_account(self.patient.name)
		self.assertIn("Access Type", str(ctx.exception))
		self.assertEqual(frappe.db.count(ACCOUNT, {"patient": self.patient.name}), 1)

	def test_database_backstops_the_single_self_account_rule(self):
		make_account(self.patient.name)
		second = frappe.get_doc(
			{
				"doctype": ACCOUNT,
				"patient": self.patient.name,
				"access_type": AccessType.SELF,
				"first_name": "Twin",
				"username": unique("twin."),
			}
		)
		second.validate_single_self_account = lambda: None
		with self.assertRaises(frappe.UniqueValidationError), acting():
			second.insert()

	def test_duplicate_username_is_refused(self):
		first = make_account(self.patient.name)
		other = make_patient()
		with self.assertRaises(UsernameTaken) as ctx:
			make_account(other.name, username=first.username.upper())
		self.assertIn("Username", str(ctx.exception))

	def test_username_of_another_user_is_refused(self):
		email, _password = make_user(["Patient"])
		frappe.db.set_value("User", email, "username", "taken.by.user")
		with self.assertRaises(UsernameTaken):
			make_account(self.patient.name, username="taken.by.user")

	def test_username_is_suggested_uniquely_for_patients_sharing_an_email(self):
		shared = f"{unique('family')}@example.com"
		last_name = unique("Lee")
		names = []
		for _ in range(3):
			patient = make_patient(email=shared, last_name=last_name)
			account = make_account(
				patient.name, username=None, first_name="Alex", last_name=last_name, contact_email=shared
			)
			names.append(account.username)
		base = f"alex.{last_name.lower()}"
		self.assertEqual(names, [base, f"{base}2", f"{base}3"])

	def test_representative_may_hold_accounts_on_several_patients(self):
		children = [make_patient() for _ in range(3)]
		email = f"{unique('parent')}@example.com"
		for i, child in enumerate(children):
			make_account(
				child.name,
				access_type=AccessType.REPRESENTATIVE,
				relation="Parent",
				contact_email=email,
				username=f"{email.split('@')[0]}.{i}",
			)
		self.assertEqual(frappe.db.count(ACCOUNT, {"contact_email": email}), 3)
		self.assertIsNone(
			frappe.db.get_value(ACCOUNT, {"contact_email": email}, "self_account_of"),
		)

	def test_representative_needs_a_relation(self):
		with self.assertRaises(InvalidAccount) as ctx:
			make_account(self.patient.name, access_type=AccessType.REPRESENTATIVE, relation=None)
		self.assertIn("Relation to Patient", str(ctx.exception))

	def test_access_valid_until_in_the_past_is_refused(self):
		with self.assertRaises(InvalidAccount) as ctx:
			make_account(self.patient.name, access_valid_until=add_days(today(), -1))
		self.assertIn("Access Valid Until", str(ctx.exception))
		account = make_account(self.patient.name, access_valid_until=add_days(today(), 30))
		self.assertEqual(str(account.access_valid_until), add_days(today(), 30))

	def test_new_account_gets_the_default_portal_sections(self):
		settings = frappe.get_single(SETTINGS)
		settings.set(
			"default_portal_sections", [{"portal_section": "Appointments"}, {"portal_section": "Invoices"}]
		)
		settings.save()
		account = make_account(self.patient.name)
		self.assertEqual(
			[row.portal_section for row in account.permitted_sections], ["Appointments", "Invoices"]
		)

	def test_illegal_status_transition_is_refused_with_a_reason(self):
		account = make_account(self.patient.name)
		account.status = AccountStatus.ACTIVE
		with self.assertRaises(IllegalStatusTransition) as ctx, acting():
			account.save()
		self.assertIn("cannot go from Not Enabled to Active", str(ctx.exception))

	def test_status_change_is_audited_and_shown_on_the_patient(self):
		frappe.db.set_value(PATIENT, self.patient.name, PORTAL_ACCESS_FIELD, "Patient Can Access Portal")
		account = make_account(self.patient.name)
		self.assertEqual(frappe.db.get_value(PATIENT, self.patient.name, PORTAL_STATUS_FIELD), "Not Enabled")
		account.status = AccountStatus.ENABLED
		with acting():
			account.save()
		self.assertEqual(frappe.db.get_value(PATIENT, self.patient.name, PORTAL_STATUS_FIELD), "Enabled")
		changes = [e for e in events(account.name) if e.event_type == EventType.STATUS_CHANGED]
		self.assertEqual(len(changes), 1)
		self.assertIn("Not Enabled", changes[0].details)
		self.assertIn("Enabled", changes[0].details)

	def test_access_change_is_audited(self):
		account = make_account(self.patient.name)
		account.access_valid_until = add_days(today(), 10)
		account.save()
		access = [e for e in events(account.name) if e.event_type == EventType.ACCESS_CHANGED]
		self.assertEqual(len(access), 1)
		self.assertIn("Access Valid Until", access[0].details)
