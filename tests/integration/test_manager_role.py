"""The Portal Onboarding Manager role on its own runs the tool: reads Patients, runs the onboarding
report, uses the Portal actions; it never edits a Patient's clinical fields."""

import frappe
from frappe.desk.query_report import run as run_report

from portal_onboarding.api import account as account_api
from portal_onboarding.api import invitation as invitation_api
from portal_onboarding.constants import ACCOUNT, MANAGER_ROLE, PATIENT, AccountStatus
from tests.integration.factories import JobRecorder, make_eligible_patient, make_user
from tests.integration.test_hardening import as_user
from tests.integration.test_invitation_flow import MailTestCase

REPORT = "Patient Portal Onboarding"


class TestManagerRoleAlone(MailTestCase):
	def setUp(self):
		super().setUp()
		self.manager, _pw = make_user([MANAGER_ROLE])
		self.assertEqual(set(frappe.get_roles(self.manager)) - {"All", "Guest", "Desk User"}, {MANAGER_ROLE})

	def test_reads_patients_and_runs_the_report(self):
		patient = make_eligible_patient()
		with as_user(self.manager):
			self.assertTrue(frappe.has_permission(PATIENT, "read", patient.name))
			doc = frappe.get_doc(PATIENT, patient.name)
			doc.check_permission("read")
			result = run_report(REPORT, filters={"search": patient.patient_name})
		self.assertEqual([row["patient"] for row in result["result"]], [patient.name])

	def test_uses_the_portal_actions_but_never_edits_clinical_fields(self):
		patient = make_eligible_patient()
		bystander = make_eligible_patient()
		with as_user(self.manager), JobRecorder() as jobs:
			enabled = account_api.enable(patient.name)
			invited = invitation_api.invite(patient.name)
			jobs.run()
			doc = frappe.get_doc(PATIENT, patient.name)
			doc.blood_group = "A Positive"
			with self.assertRaises(frappe.PermissionError):
				doc.save()
		self.assertEqual(enabled["status"], AccountStatus.ENABLED)
		self.assertEqual(frappe.db.get_value(ACCOUNT, invited["account"], "status"), AccountStatus.INVITED)
		self.assertFalse(frappe.db.get_value(PATIENT, patient.name, "blood_group"))
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": bystander.name}), "only the patient acted on")
