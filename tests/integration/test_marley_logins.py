"""Logins that Marley's own Invite as User made (`Patient.create_website_user()`) move onto Self
accounts at install and upgrade; one that cannot is skipped and shown, and the rest still move."""

import secrets
from unittest.mock import patch

import frappe
from frappe.utils import random_string

from portal_onboarding.accounts import marley_logins
from portal_onboarding.constants import ACCOUNT, EVENT, PATIENT, PORTAL_REASON_FIELD, AccountStatus, EventType
from portal_onboarding.permissions import portal_grants
from tests.integration.factories import ensure_gender, unique
from tests.integration.test_invitation_flow import MailTestCase


def marley_patient_with_login(first_name: str | None = None) -> tuple[str, str]:
	"""A Patient from quick entry's fields, then Marley's own method makes its login: (patient, user)."""
	first_name = first_name or f"Rosa{random_string(6).lower()}"
	patient = frappe.get_doc(
		{
			"doctype": PATIENT,
			"first_name": first_name,
			"last_name": "Marley",
			"sex": ensure_gender(),
			"dob": "1975-04-03",
			"email": f"{unique('marley')}@example.com",
			"mobile": f"+1555{secrets.randbelow(9_000_000) + 1_000_000}",
		}
	).insert()
	# Frappe sends the welcome mail at once, which commits; muted, it only queues, and the test rolls back.
	muted, frappe.flags.mute_emails = frappe.flags.mute_emails, True
	try:
		patient.create_website_user()
	finally:
		frappe.flags.mute_emails = muted
	return patient.name, frappe.db.get_value(PATIENT, patient.name, "user_id")


def forget_error_log(patient: str) -> None:
	"""Frappe writes error logs where the test's rollback does not reach; this one was the test's."""
	frappe.db.rollback()
	frappe.db.delete("Error Log", {"reference_name": patient})
	frappe.db.commit()


class TestMarleyLogins(MailTestCase):
	def test_a_login_frappe_named_after_the_first_name_keeps_that_username(self):
		first_name = f"Rosa{random_string(6).lower()}"
		patient, user = marley_patient_with_login(first_name)
		self.assertEqual(frappe.db.get_value("User", user, "username"), frappe.scrub(first_name))
		bystander, bystander_user = marley_patient_with_login()
		frappe.db.set_value(PATIENT, bystander, "email", f"{unique('changed')}@example.com")

		migrated = marley_logins.migrate_marley_logins()

		account = frappe.db.get_value(
			ACCOUNT, {"patient": patient, "user": user}, ["name", "status", "username"], as_dict=True
		)
		self.assertIn(account.name, migrated)
		self.assertEqual(account.status, AccountStatus.ACTIVE)
		self.assertEqual(account.username, frappe.scrub(first_name))
		self.assertEqual([g.patient for g in portal_grants(user)], [patient])
		# The login whose patient's email staff changed is nobody's to migrate.
		self.assertEqual(portal_grants(bystander_user), [])
		self.assertFalse(frappe.db.exists(ACCOUNT, {"user": bystander_user}))

	def test_a_login_that_cannot_migrate_is_skipped_shown_and_the_others_still_move(self):
		broken, broken_user = marley_patient_with_login()
		fine, fine_user = marley_patient_with_login()
		real = marley_logins.migrate_one

		def migrate_one(row):
			if row.patient == broken:
				real(row)  # writes, then fails: what it wrote must be undone
				raise frappe.ValidationError("something in this patient's data")
			return real(row)

		with patch.object(marley_logins, "migrate_one", migrate_one):
			migrated = marley_logins.migrate_marley_logins()

		self.assertTrue(
			frappe.db.exists(ACCOUNT, {"patient": fine, "user": fine_user, "status": AccountStatus.ACTIVE})
		)
		self.assertIn(frappe.db.get_value(ACCOUNT, {"patient": fine}), migrated)
		self.assertFalse(
			frappe.db.exists(ACCOUNT, {"user": broken_user}), "the failed move left nothing behind"
		)
		self.assertEqual(portal_grants(broken_user), [])
		(details,) = frappe.get_all(
			EVENT, filters={"patient": broken, "event_type": EventType.MIGRATION_SKIPPED}, pluck="details"
		)
		self.assertIn(broken_user, details)
		self.assertIn("something in this patient's data", details)
		self.assertIn(broken_user, frappe.db.get_value(PATIENT, broken, PORTAL_REASON_FIELD))
		self.assertTrue(frappe.db.exists("Error Log", {"reference_name": broken}))
		self.addCleanup(forget_error_log, broken)
		self.assertFalse(
			frappe.db.exists(EVENT, {"patient": fine, "event_type": EventType.MIGRATION_SKIPPED})
		)
