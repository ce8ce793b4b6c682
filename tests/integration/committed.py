"""A test case whose data is committed, for other connections (HTTP requests, workers) to see, and purged."""

import frappe
from frappe.tests.utils import FrappeTestCase

from portal_onboarding.constants import ACCOUNT, SETTINGS
from portal_onboarding.invitations import sending
from tests.integration.bystanders import Untouched
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	ensure_outgoing_email_account,
	make_eligible_patient,
	make_user,
	purge_patient,
)


class CommittedCase(Untouched, FrappeTestCase):
	"""Each test's patients are committed for the HTTP requests to see, and purged afterwards; none of
	the site's bystanders may be reached (bystanders.py)."""

	def setUp(self):
		super().setUp()
		self.patients: list[str] = []
		self.users: list[str] = []
		settings = frappe.get_single(SETTINGS)
		settings.update(
			{"require_email": 1, "require_home_zip": 1, "require_identity_check": 1, "send_sms_notice": 0}
		)
		settings.save()
		ensure_outgoing_email_account()
		frappe.db.commit()

	def tearDown(self):
		try:
			super().tearDown()  # the bystanders, before this test's own rows go
		finally:
			for patient in self.patients:
				purge_patient(patient)
			for user in self.users:
				if frappe.db.exists("User", user):
					frappe.delete_doc("User", user, force=True, ignore_permissions=True)
			frappe.cache.delete_keys("portal_onboarding:rl:")
			frappe.cache.delete_keys("rl:")
			frappe.db.commit()

	def patient(self, **kw):
		patient = make_eligible_patient(**kw)
		self.patients.append(patient.name)
		return patient

	def user(self, roles: list[str], **kw) -> tuple[str, str]:
		user = make_user(roles, **kw)
		self.users.append(user[0])
		return user

	def invited(self, patient: str, **kw) -> tuple[str, str, str]:
		with JobRecorder() as jobs:
			account, invitation = sending.invite(patient, **kw)
			jobs.run()
		frappe.db.commit()
		return account.name, invitation.name, activation_key(invitation.name)

	def active_login(self, patient: str) -> tuple[str, str]:
		account, _invitation, key = self.invited(patient)
		assert accept_link(key)["ok"]
		frappe.db.commit()
		return account, frappe.db.get_value(ACCOUNT, account, "user")
