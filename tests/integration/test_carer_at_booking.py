"""A parent or carer typed on the new-patient form: checked at save, invited after it commits, and the
fields emptied once the invitation exists; only the portal admin roles can ask for it."""

import frappe
from frappe.tests.utils import change_settings

from portal_onboarding.constants import (
	ACCOUNT,
	CARER_ACCESS_FIELD,
	CARER_FIELDS,
	INVITATION,
	MANAGER_ROLE,
	PATIENT,
	PORTAL_REASON_FIELD,
	SETTINGS,
	AccessType,
	AccountStatus,
	EventType,
)
from portal_onboarding.exceptions import InvalidInvitation
from tests.integration.factories import (
	JobRecorder,
	ensure_gender,
	make_address,
	make_user,
	queued_mails,
	unique,
)
from tests.integration.test_invitation_flow import MailTestCase


def carer(**kw) -> dict:
	values = {
		CARER_ACCESS_FIELD: 1,
		"portal_carer_first_name": "Carmen",
		"portal_carer_last_name": "Carer",
		"portal_carer_email": f"{unique('carmen')}@example.com",
		"portal_carer_mobile": "+1 555 010 2030",
		"portal_carer_relation": "Parent",
	}
	values.update(kw)
	return values


class TestCarerOnTheNewPatientForm(MailTestCase):
	def setUp(self):
		super().setUp()
		self.admin = make_user(["System Manager", MANAGER_ROLE])[0]
		self.nurse = make_user(["Nursing User"])[0]

	def tearDown(self):
		frappe.set_user("Administrator")
		super().tearDown()

	def new_patient(self, user: str, email: str | None = None, **fields):
		"""Save a new Patient as `user` would from the form or quick entry; the jobs it queued."""
		frappe.set_user(user)
		try:
			with JobRecorder() as jobs:
				doc = frappe.get_doc(
					{
						"doctype": PATIENT,
						"first_name": unique("Kid"),
						"last_name": "Tester",
						"sex": ensure_gender(),
						"dob": "2018-03-04",
						"email": email,
						**fields,
					}
				).insert()
		finally:
			frappe.set_user("Administrator")
		return doc, jobs

	def test_the_admin_s_save_invites_the_carer_after_it_commits_and_forgets_the_details(self):
		details = carer()
		patient_email = f"{unique('kid')}@example.com"
		with change_settings(SETTINGS, {"send_sms_notice": 1}):
			doc, jobs = self.new_patient(self.admin, email=patient_email, **details)
			self.assertEqual(jobs.methods(), ["portal_onboarding.jobs.invite_carer"])
			self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": doc.name}), "nothing before the commit")
			make_address(doc.name)  # the quick entry's address, saved with the patient
			with JobRecorder() as delivery:
				jobs.run()  # the invitation, which queues its delivery
				self.assertEqual(delivery.methods(), ["portal_onboarding.jobs.deliver_invitation"])
				delivery.run()  # the mail, then the SMS notice (a mobile was given)
		self.assertIsNone(frappe.db.get_value(PATIENT, doc.name, PORTAL_REASON_FIELD))
		(account,) = frappe.get_all(
			ACCOUNT,
			filters={"patient": doc.name},
			fields=["name", "access_type", "status", "first_name", "contact_email", "relation"],
		)
		self.assertEqual(
			(account.access_type, account.status, account.first_name, account.relation),
			(AccessType.REPRESENTATIVE, AccountStatus.INVITED, "Carmen", "Parent"),
		)
		self.assertEqual(account.contact_email, details["portal_carer_email"])
		invitation = frappe.db.get_value(
			INVITATION, {"account": account.name}, ["name", "channel"], as_dict=True
		)
		self.assertEqual(invitation.channel, "Both")
		# Tried through SMS Settings (this site has no gateway, so it is recorded as failed, to retry).
		self.assertIn(frappe.db.get_value(INVITATION, invitation.name, "sms_status"), ("Sent", "Failed"))
		(mail,) = queued_mails(invitation.name)
		self.assertEqual(mail["recipients"], [details["portal_carer_email"]])
		self.assertFalse(
			frappe.db.exists("Email Queue Recipient", {"recipient": patient_email}), "the patient got nothing"
		)
		stored = frappe.db.get_value(PATIENT, doc.name, [CARER_ACCESS_FIELD, *CARER_FIELDS], as_dict=True)
		self.assertEqual(set(stored.values()), {0, None}, "the account holds the details now")
		self.assertTrue(
			frappe.db.exists(
				"Patient Portal Event", {"patient": doc.name, "event_type": EventType.INVITATION_SENT}
			)
		)

	def test_bad_carer_details_are_refused_at_save_with_every_problem(self):
		before = frappe.db.count(PATIENT)
		with self.assertRaises(InvalidInvitation) as refused:
			self.new_patient(
				self.admin,
				**carer(
					portal_carer_first_name=" ", portal_carer_email="not-an-email", portal_carer_relation=""
				),
			)
		message = str(refused.exception)
		for problem in ("first name is required", "not-an-email", "relation to the patient must be one of"):
			self.assertIn(problem, message)
		self.assertIn("untick", message)
		self.assertEqual(frappe.db.count(PATIENT), before, "nothing saved")

	def test_unticked_the_patient_is_saved_without_the_invitation(self):
		doc, jobs = self.new_patient(self.admin, **carer(**{CARER_ACCESS_FIELD: 0, "portal_carer_email": ""}))
		self.assertEqual(jobs.methods(), [])
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": doc.name}))

	def test_a_nurse_cannot_invite_a_carer(self):
		details = carer()
		doc, jobs = self.new_patient(self.nurse, **details)
		jobs.run()
		self.assertEqual(jobs.methods(), [])
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": doc.name}))
		self.assertFalse(
			frappe.db.exists("Email Queue Recipient", {"recipient": details["portal_carer_email"]})
		)
		self.assertFalse(frappe.db.get_value(PATIENT, doc.name, CARER_ACCESS_FIELD))

	def test_an_ineligible_patient_keeps_the_details_and_says_why(self):
		details = carer()
		doc, jobs = self.new_patient(self.admin, **details)
		jobs.run()  # no address: no home ZIP code, which the settings require
		self.assertFalse(
			frappe.db.exists(ACCOUNT, {"patient": doc.name, "access_type": AccessType.REPRESENTATIVE})
		)
		self.assertIn("ZIP", frappe.db.get_value(PATIENT, doc.name, PORTAL_REASON_FIELD))
		self.assertEqual(
			frappe.db.get_value(PATIENT, doc.name, "portal_carer_email"), details["portal_carer_email"]
		)
		self.assertFalse(
			frappe.db.exists("Email Queue Recipient", {"recipient": details["portal_carer_email"]})
		)
