"""Two admins inviting the same patient at the same moment, on two database connections."""

import threading

import frappe
from frappe.tests.utils import FrappeTestCase

from portal_onboarding.constants import ACCOUNT, EVENT, INVITATION, InvitationStatus
from portal_onboarding.invitations import sending
from tests.integration.factories import JobRecorder, make_eligible_patient
from tests.site import site_name


class TestConcurrentInvites(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.patient = make_eligible_patient()
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		for account in frappe.get_all(ACCOUNT, filters={"patient": cls.patient.name}, pluck="name"):
			frappe.db.delete(INVITATION, {"account": account})
			frappe.delete_doc(ACCOUNT, account, force=True)
		frappe.db.delete(EVENT, {"patient": cls.patient.name})
		frappe.delete_doc("Patient", cls.patient.name, force=True)
		frappe.db.commit()
		super().tearDownClass()

	def test_two_admins_at_once_make_one_account_and_one_live_invitation(self):
		barrier = threading.Barrier(2)
		results, errors = [], []

		def admin() -> None:
			frappe.init(site=site_name(), sites_path=".")
			frappe.connect()
			frappe.set_user("Administrator")
			try:
				barrier.wait(timeout=30)
				account, invitation = sending.invite(self.patient.name)
				frappe.db.commit()
				results.append((account.name, invitation.name))
			except BaseException as e:
				frappe.db.rollback()
				errors.append(e)
			finally:
				frappe.destroy()

		with JobRecorder():
			threads = [threading.Thread(target=admin) for _ in range(2)]
			for thread in threads:
				thread.start()
			for thread in threads:
				thread.join(timeout=120)

		self.assertEqual(errors, [])
		self.assertEqual(len(results), 2)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count(ACCOUNT, {"patient": self.patient.name}), 1)
		live = frappe.get_all(
			INVITATION, filters={"patient": self.patient.name, "status": ("in", InvitationStatus.LIVE)}
		)
		self.assertEqual(len(live), 1)
		self.assertEqual({account for account, _inv in results}, {live_account(self.patient.name)})


def live_account(patient: str) -> str:
	return frappe.db.get_value(ACCOUNT, {"patient": patient}, "name")
