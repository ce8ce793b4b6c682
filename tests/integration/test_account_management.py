"""Account management on a real site: every action, its transitions, its audit, and the agreement of
the account, the Patient's portal status, the onboarding report and the list."""

import re

import frappe
from frappe.tests.utils import change_settings
from frappe.utils import add_to_date, now_datetime
from frappe.utils.password import check_password

from portal_onboarding.accounts import management, password_change, password_reset
from portal_onboarding.api import account as account_api
from portal_onboarding.api import password as password_api
from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	PASSWORD_RESET,
	PATIENT,
	PORTAL_STATUS_FIELD,
	SETTINGS,
	AccessType,
	AccountStatus,
	EventType,
	InvitationStatus,
	ResetStatus,
)
from portal_onboarding.exceptions import IllegalStatusTransition, InvalidAccount, UsernameTaken
from portal_onboarding.permissions import portal_grants
from portal_onboarding.reporting.report import rows_for
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	add_session,
	make_eligible_patient,
	make_user,
	queued_mails,
	run_after_commit,
	session_count,
	strong_password,
	unique,
)
from tests.integration.test_account import events
from tests.integration.test_invitation_flow import MailTestCase, invite_and_send

S = AccountStatus


def event_types(account: str) -> list[str]:
	return [e.event_type for e in events(account)]


def active_account(**kw) -> tuple[str, str, str]:
	"""An eligible patient whose Self account was activated through its link: (patient, account, user)."""
	patient = make_eligible_patient(**kw)
	account, _invitation, key = invite_and_send(patient.name)
	assert accept_link(key)["ok"]
	return patient.name, account, frappe.db.get_value(ACCOUNT, account, "user")


def reset_key(reset: str) -> str:
	html = queued_mails(reset, PASSWORD_RESET)[-1]["html"]
	match = re.search(r"/portal/reset-password#key=([A-Za-z0-9_\-]+)", html)
	assert match, html
	return match.group(1)


class AccountCase(MailTestCase):
	def assert_agree(self, account: str, status: str) -> None:
		"""The account, the Patient's portal status and the onboarding report tell the same story."""
		patient = frappe.db.get_value(ACCOUNT, account, "patient")
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), status)
		self.assertEqual(frappe.db.get_value(PATIENT, patient, PORTAL_STATUS_FIELD), status)
		(row,) = rows_for([patient])
		self.assertEqual(row["portal_status"], status)
		self.assertEqual(
			frappe.db.count(ACCOUNT, {"name": account, "status": status}), 1
		)  # what the list's status filter and sidebar count


class TestSuspendAndReactivate(AccountCase):
	def test_suspend_cuts_the_login_off_and_reactivate_restores_it(self):
		patient, account, user = active_account()
		add_session(user)
		self.assertEqual(account_api.suspend(account, "Lost phone")["status"], S.SUSPENDED)
		self.assert_agree(account, S.SUSPENDED)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status_reason"), "Lost phone")
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 0)
		self.assertEqual(portal_grants(user), [])
		suspended = events(account)[-1]
		self.assertEqual(
			(suspended.event_type, suspended.details), (EventType.ACCOUNT_SUSPENDED, "Lost phone")
		)
		self.assertEqual(suspended.actor, "Administrator")
		self.assertEqual(session_count(user), 1, "sessions end only once the suspension commits")
		run_after_commit()
		self.assertEqual(session_count(user), 0)

		self.assertEqual(account_api.reactivate(account)["status"], S.ACTIVE)
		self.assert_agree(account, S.ACTIVE)
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 1)
		self.assertIsNone(frappe.db.get_value(ACCOUNT, account, "status_reason"))
		self.assertEqual([g.patient for g in portal_grants(user)], [patient])
		self.assertIn(EventType.ACCOUNT_REACTIVATED, event_types(account))

	def test_suspension_needs_a_reason_and_happens_once(self):
		_patient, account, _user = active_account()
		with self.assertRaises(InvalidAccount):
			account_api.suspend(account, "  ")
		self.assert_agree(account, S.ACTIVE)
		account_api.suspend(account, "Asked by the family")
		with self.assertRaises(IllegalStatusTransition) as refused:
			account_api.suspend(account, "again")
		self.assertIn("Suspended", str(refused.exception))

	def test_suspending_one_grant_keeps_a_login_that_reaches_another_patient(self):
		rep = {
			"first_name": "Rosa",
			"last_name": "Carer",
			"email": f"{unique('rosa')}@example.com",
			"relation": "Parent",
		}
		first, second = make_eligible_patient(), make_eligible_patient()
		_a, _i, key = invite_and_send(first.name, representative=rep)
		username, password = unique("rosa."), strong_password()
		assert accept_link(key, username=username, password=password)["ok"]
		account_1 = frappe.db.get_value(
			ACCOUNT, {"patient": first.name, "access_type": AccessType.REPRESENTATIVE}
		)
		_a, _i, key = invite_and_send(second.name, representative=rep)
		assert accept_link(key, username=username, password=password, existing_login=1)["ok"]
		user = frappe.db.get_value(ACCOUNT, account_1, "user")

		account_api.suspend(account_1, "Custody changed")
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 1)
		self.assertEqual([g.patient for g in portal_grants(user)], [second.name])

	def test_suspending_an_invited_account_kills_its_link(self):
		patient = make_eligible_patient()
		account, invitation, key = invite_and_send(patient.name)
		account_api.suspend(account, "Wrong person")
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "status"), InvitationStatus.REVOKED)
		self.assertTrue(accept_link(key)["invalid_link"])
		self.assertEqual(account_api.reactivate(account)["status"], S.ENABLED)
		self.assert_agree(account, S.ENABLED)


class TestPasswordReset(AccountCase):
	def test_reset_mail_sets_a_new_password_once(self):
		_patient, account, user = active_account()
		account_api.send_password_reset(account)
		(reset,) = frappe.get_all(PASSWORD_RESET, filters={"account": account}, pluck="name")
		contact = frappe.db.get_value(ACCOUNT, account, "contact_email")
		(mail,) = queued_mails(reset, PASSWORD_RESET)
		self.assertEqual(mail["recipients"], [contact])
		key = reset_key(reset)
		stored = frappe.db.get_value(PASSWORD_RESET, reset, "token_hash")
		self.assertNotIn(key, stored)
		self.assertNotIn(key, str(events(account)))

		self.assertTrue(password_api.check_reset_link(key)["ok"])
		weak = password_api.reset_password(key, "abc")
		self.assertFalse(weak["ok"])
		self.assertFalse(weak["invalid_link"])
		new_password = strong_password()
		from unittest.mock import patch

		with patch.object(frappe.local, "login_manager", create=True) as login:
			self.assertTrue(password_api.reset_password(key, new_password)["ok"])
		login.login_as.assert_called_once_with(user)
		check_password(user, new_password)
		self.assertEqual(frappe.db.get_value(PASSWORD_RESET, reset, "status"), ResetStatus.USED)
		self.assertIsNone(frappe.db.get_value(PASSWORD_RESET, reset, "token_hash"))
		self.assertEqual(
			event_types(account)[-2:], [EventType.PASSWORD_RESET_SENT, EventType.PASSWORD_RESET_USED]
		)
		reused = password_api.reset_password(key, strong_password())
		self.assertTrue(reused["invalid_link"])
		check_password(user, new_password)

	def test_expired_revoked_and_suspended_links_get_the_one_answer(self):
		_patient, account, _user = active_account()
		account_api.send_password_reset(account)
		first = reset_key(frappe.get_all(PASSWORD_RESET, filters={"account": account}, pluck="name")[0])
		account_api.send_password_reset(account)  # the newer link revokes the first
		newest = frappe.get_all(
			PASSWORD_RESET, filters={"account": account}, pluck="name", order_by="creation desc"
		)[0]
		second = reset_key(newest)
		answers = [password_api.check_reset_link(first), password_api.check_reset_link("garbage")]
		frappe.db.set_value(PASSWORD_RESET, newest, "expires_on", add_to_date(now_datetime(), minutes=-1))
		answers.append(password_api.check_reset_link(second))
		frappe.db.set_value(PASSWORD_RESET, newest, "expires_on", add_to_date(now_datetime(), hours=1))
		self.assertTrue(password_api.check_reset_link(second)["ok"])
		account_api.suspend(account, "Lost phone")
		answers.append(password_api.check_reset_link(second))
		self.assertEqual(len({str(a) for a in answers}), 1, answers)
		self.assertTrue(answers[0]["invalid_link"])

	def test_reset_is_rate_limited_per_account(self):
		_patient, account, _user = active_account()
		frappe.cache.delete_keys("portal_onboarding:rl:")
		for _ in range(account_api.RESETS_PER_ACCOUNT):
			account_api.send_password_reset(account)
		with self.assertRaises(frappe.RateLimitExceededError):
			for _ in range(95):
				account_api.send_password_reset(account)
		self.assertEqual(
			frappe.db.count(PASSWORD_RESET, {"account": account}), account_api.RESETS_PER_ACCOUNT
		)
		self.assertEqual(frappe.db.count(PASSWORD_RESET, {"account": account, "status": ResetStatus.SENT}), 1)
		frappe.cache.delete_keys("portal_onboarding:rl:")

	def test_reset_needs_an_active_login_with_an_address(self):
		patient = make_eligible_patient()
		account = account_api.enable(patient.name)["account"]
		with self.assertRaises(IllegalStatusTransition):
			account_api.send_password_reset(account)
		self.assertEqual(frappe.db.count(PASSWORD_RESET, {"account": account}), 0)

	def test_expiry_job_clears_overdue_links(self):
		_patient, account, _user = active_account()
		account_api.send_password_reset(account)
		(reset,) = frappe.get_all(PASSWORD_RESET, filters={"account": account}, pluck="name")
		frappe.db.set_value(PASSWORD_RESET, reset, "expires_on", add_to_date(now_datetime(), minutes=-1))
		password_reset.expire_overdue()
		self.assertEqual(
			frappe.db.get_value(PASSWORD_RESET, reset, ["status", "token_hash"]), (ResetStatus.EXPIRED, None)
		)


class TestSetCredentials(AccountCase):
	def test_generated_credentials_activate_and_force_a_change(self):
		patient = make_eligible_patient(email=None, pincode="90210")
		with change_settings(SETTINGS, {"require_email": 0}):
			account = account_api.enable(patient.name)["account"]
		result = account_api.set_credentials(account)
		self.assertEqual(set(result), {"username", "password"})
		password = result["password"]
		self.assertGreaterEqual(len(password), 16)
		self.assert_agree(account, S.ACTIVE)
		doc = frappe.get_doc(ACCOUNT, account)
		self.assertEqual(doc.username, result["username"])
		self.assertEqual(doc.force_password_change, 1)
		self.assertEqual(frappe.db.get_value("User", doc.user, "username"), result["username"])
		check_password(doc.user, password)
		self.assertTrue(password_change.must_change_password(doc.user))
		self.assertEqual([g.patient for g in portal_grants(doc.user)], [patient.name])
		self.assertIn(EventType.CREDENTIALS_SET, event_types(account))
		# The password is kept nowhere in clear: not in the audit, the versions, the error log.
		for doctype, field in ((EVENT, "details"), ("Version", "data"), ("Error Log", "error")):
			self.assertFalse(frappe.db.exists(doctype, {field: ("like", f"%{password}%")}), doctype)

	def test_typed_credentials_follow_the_site_policy_and_are_not_echoed(self):
		patient = make_eligible_patient()
		account = account_api.enable(patient.name)["account"]
		with change_settings("System Settings", {"enable_password_policy": 1, "minimum_password_score": 3}):
			with self.assertRaises(InvalidAccount):
				account_api.set_credentials(account, username=unique("pat."), password="password1")
		self.assert_agree(account, S.ENABLED)
		self.assertIsNone(frappe.db.get_value(ACCOUNT, account, "user"))
		username, password = unique("pat."), strong_password()
		self.assertEqual(account_api.set_credentials(account, username, password), {"username": username})
		check_password(frappe.db.get_value(ACCOUNT, account, "user"), password)

	def test_usernames_of_staff_and_other_accounts_are_refused(self):
		staff, _pw = make_user(["Nursing User"], username=unique("staff."))
		staff_username = frappe.db.get_value("User", staff, "username")
		_p, _other, other_user = active_account()
		taken = frappe.db.get_value("User", other_user, "username")
		patient = make_eligible_patient()
		account = account_api.enable(patient.name)["account"]
		for name in (staff_username, taken, "Administrator"):
			with self.assertRaises((UsernameTaken, InvalidAccount)):
				account_api.set_credentials(account, username=name)
		self.assert_agree(account, S.ENABLED)

	def test_credentials_replace_a_pending_invitation(self):
		patient = make_eligible_patient()
		account, invitation, key = invite_and_send(patient.name)
		account_api.set_credentials(account)
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "status"), InvitationStatus.REVOKED)
		self.assertTrue(accept_link(key)["invalid_link"])
		self.assert_agree(account, S.ACTIVE)

	def test_suspended_and_disabled_accounts_get_no_credentials(self):
		_patient, account, _user = active_account()
		account_api.suspend(account, "Under review")
		with self.assertRaises(IllegalStatusTransition):
			account_api.set_credentials(account)
		self.assert_agree(account, S.SUSPENDED)


class TestForcedPasswordChange(AccountCase):
	def test_change_clears_the_flag_and_refuses_the_same_password(self):
		patient = make_eligible_patient()
		account = account_api.enable(patient.name)["account"]
		result = account_api.set_credentials(account)
		user = frappe.db.get_value(ACCOUNT, account, "user")
		self.assertIsNotNone(password_change.change(user, result["password"]))
		self.assertIsNotNone(password_change.change(user, "short"))
		self.assertTrue(password_change.must_change_password(user))
		new_password = strong_password()
		self.assertIsNone(password_change.change(user, new_password))
		self.assertFalse(password_change.must_change_password(user))
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "force_password_change"), 0)
		check_password(user, new_password)
		self.assertIn(EventType.PASSWORD_CHANGED, event_types(account))

	def test_admin_ticking_the_flag_on_the_form_forces_the_change(self):
		_patient, account, user = active_account()
		self.assertFalse(password_change.must_change_password(user))
		doc = frappe.get_doc(ACCOUNT, account)
		doc.force_password_change = 1
		doc.save()
		self.assertTrue(password_change.must_change_password(user))
		self.assertIn("Force Password Change", events(account)[-1].details)


class TestRemoveAndDelete(AccountCase):
	def test_remove_login_keeps_the_account_ready_to_invite_again(self):
		patient, account, user = active_account()
		account_api.remove_login(account)
		self.assert_agree(account, S.ENABLED)
		doc = frappe.get_doc(ACCOUNT, account)
		self.assertIsNone(doc.user)
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 0)
		self.assertIn(EventType.LOGIN_REMOVED, event_types(account))
		self.assertIn(EventType.ACCOUNT_ACTIVATED, event_types(account), "history kept")
		_a, _i, key = invite_and_send(patient)
		self.assertTrue(accept_link(key)["ok"])
		self.assert_agree(account, S.ACTIVE)
		self.assertNotEqual(frappe.db.get_value(ACCOUNT, account, "user"), user)

	def test_pending_delete_removes_the_login_now_and_the_details_after_the_wait(self):
		patient, account, user = active_account()
		account_api.mark_pending_delete(account)
		self.assert_agree(account, S.PENDING_DELETE)
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 0)
		self.assertEqual(portal_grants(user), [])

		management.purge_due()  # not due yet
		self.assertTrue(frappe.db.exists(ACCOUNT, account))
		frappe.db.set_value(ACCOUNT, account, "pending_delete_on", add_to_date(now_datetime(), days=-31))
		from unittest.mock import patch

		with patch.object(frappe.db, "commit"):
			management.purge_due()
		self.assertFalse(frappe.db.exists(ACCOUNT, account))
		self.assertFalse(frappe.db.exists("User", {"name": user, "username": ("is", "set")}))
		self.assertIsNone(frappe.db.get_value(INVITATION, {"account": account}, "sent_to"))
		self.assertTrue(frappe.db.exists(PATIENT, patient), "clinical records are never touched")
		kinds = event_types(account)
		self.assertIn(EventType.ACCOUNT_ACTIVATED, kinds)
		self.assertEqual(kinds[-1], EventType.PERSONAL_DATA_DELETED)
		self.assertEqual(frappe.db.get_value(PATIENT, patient, PORTAL_STATUS_FIELD), S.ENABLED)

	def test_deletion_follows_the_days_in_the_settings(self):
		_patient, account, _user = active_account()
		account_api.mark_pending_delete(account)
		frappe.db.set_value(ACCOUNT, account, "pending_delete_on", add_to_date(now_datetime(), days=-8))
		from unittest.mock import patch

		with change_settings(SETTINGS, {"delete_after_days": 10}), patch.object(frappe.db, "commit"):
			management.purge_due()
			self.assertTrue(frappe.db.exists(ACCOUNT, account))
		with change_settings(SETTINGS, {"delete_after_days": 7}), patch.object(frappe.db, "commit"):
			management.purge_due()
			self.assertFalse(frappe.db.exists(ACCOUNT, account))

	def test_cancel_pending_delete(self):
		_patient, account, _user = active_account()
		account_api.mark_pending_delete(account)
		self.assertEqual(account_api.cancel_pending_delete(account)["status"], S.ENABLED)
		self.assert_agree(account, S.ENABLED)
		self.assertIsNone(frappe.db.get_value(ACCOUNT, account, "user"))
		self.assertIn(EventType.DELETION_CANCELLED, event_types(account))


class TestEmailChangeGuard(AccountCase):
	def test_new_patient_email_suspends_reverifies_and_notifies_the_old_address(self):
		patient_doc = make_eligible_patient()
		account, _invitation, key = invite_and_send(patient_doc.name)
		password = strong_password()
		assert accept_link(key, password=password)["ok"]
		patient, user = patient_doc.name, frappe.db.get_value(ACCOUNT, account, "user")
		old = frappe.db.get_value(PATIENT, patient, "email")
		nurse, _pw = make_user(["Nursing User"])
		new = f"{unique('new')}@example.com"
		frappe.set_user(nurse)
		try:
			with JobRecorder() as jobs:
				doc = frappe.get_doc(PATIENT, patient)
				doc.email = new
				doc.save()
		finally:
			frappe.set_user("Administrator")
		self.assert_agree(account, S.SUSPENDED)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "contact_email"), new)
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 0)
		changed = [e for e in events(account) if e.event_type == EventType.EMAIL_CHANGED]
		self.assertEqual(len(changed), 1)
		self.assertEqual(changed[0].actor, nurse)
		self.assertIn(old, changed[0].details)
		self.assertIn(new, changed[0].details)

		(notice,) = queued_mails(account, ACCOUNT)
		self.assertEqual(notice["recipients"], [old])
		self.assertNotIn(frappe.db.get_value(PATIENT, patient, "first_name"), notice["html"])
		self.assertNotIn("/portal/", notice["html"])

		jobs.run()
		invitation = frappe.get_all(
			INVITATION, filters={"account": account, "reverification": 1}, pluck="name"
		)[0]
		(mail,) = queued_mails(invitation)
		self.assertEqual(mail["recipients"], [new])
		key = activation_key(invitation)
		# Only the login's own password confirms the address: a new one is refused, whoever types it.
		self.assertFalse(accept_link(key, password=strong_password())["ok"])
		self.assert_agree(account, S.SUSPENDED)
		self.assertTrue(accept_link(key, password=password)["ok"])
		self.assert_agree(account, S.ACTIVE)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "user"), user, "the same login, confirmed")
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 1)

	def test_case_and_spaces_are_not_a_change(self):
		patient, account, _user = active_account()
		doc = frappe.get_doc(PATIENT, patient)
		doc.email = f"  {doc.email.upper()} "
		doc.flags.ignore_validate = True
		doc.save()
		self.assert_agree(account, S.ACTIVE)

	def test_representative_contact_email_edited_on_the_form(self):
		patient = make_eligible_patient()
		rep = {
			"first_name": "Ana",
			"last_name": "Rep",
			"email": f"{unique('ana')}@example.com",
			"relation": "Carer",
		}
		account, _i, key = invite_and_send(patient.name, representative=rep)
		assert accept_link(key)["ok"]
		new = f"{unique('ana')}@example.com"
		with JobRecorder() as jobs:
			doc = frappe.get_doc(ACCOUNT, account)
			doc.contact_email = new
			doc.save()
		self.assert_agree(account, S.SUSPENDED)
		self.assertEqual(queued_mails(account, ACCOUNT)[0]["recipients"], [rep["email"]])
		jobs.run()
		invitation = frappe.get_all(
			INVITATION, filters={"account": account, "reverification": 1}, pluck="name"
		)[0]
		self.assertEqual(queued_mails(invitation)[0]["recipients"], [new])

	def test_self_account_email_is_changed_on_the_patient(self):
		_patient, account, _user = active_account()
		doc = frappe.get_doc(ACCOUNT, account)
		doc.contact_email = "someone.else@example.com"
		with self.assertRaises(InvalidAccount):
			doc.save()

	def test_load_from_patient_copies_name_and_mobile(self):
		patient, account, _user = active_account()
		frappe.db.set_value(PATIENT, patient, {"mobile": "+15550001111", "first_name": "Renamed"})
		result = account_api.load_from_patient(account)
		self.assertEqual((result["first_name"], result["contact_mobile"]), ("Renamed", "+15550001111"))
		self.assert_agree(account, S.ACTIVE)


class TestRefusals(AccountCase):
	ACTIONS = (
		lambda a: account_api.suspend(a, "x"),
		account_api.reactivate,
		account_api.send_password_reset,
		account_api.set_credentials,
		account_api.remove_login,
		account_api.mark_pending_delete,
		account_api.cancel_pending_delete,
		account_api.load_from_patient,
		account_api.audit_trail,
	)

	def test_website_users_and_managers_without_rights_on_the_patient_get_403(self):
		_patient, account, user = active_account()
		manager, _pw = make_user(["Portal Onboarding Manager"])
		other = make_eligible_patient()
		frappe.get_doc(
			{"doctype": "User Permission", "user": manager, "allow": PATIENT, "for_value": other.name}
		).insert(ignore_permissions=True)
		for who in (user, manager):
			frappe.set_user(who)
			try:
				for action in self.ACTIONS:
					with self.assertRaises(frappe.PermissionError):
						action(account)
			finally:
				frappe.set_user("Administrator")
		self.assert_agree(account, S.ACTIVE)

	def test_an_account_whose_patient_is_gone_is_refused_clearly(self):
		patient, account, user = active_account()
		frappe.delete_doc(PATIENT, patient, force=True, ignore_permissions=True)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), S.PENDING_DELETE)
		self.assertEqual(frappe.db.get_value("User", user, "enabled"), 0)
		for action in self.ACTIONS:
			with self.assertRaises(frappe.DoesNotExistError) as refused:
				action(account)
			self.assertIn("no longer exists", str(refused.exception))

	def test_form_offers_the_actions_of_the_status(self):
		_patient, account, _user = active_account()
		doc = frappe.get_doc(ACCOUNT, account)
		doc.run_method("onload")
		self.assertIn("suspend", doc.get_onload()["actions"])
		self.assertNotIn("reactivate", doc.get_onload()["actions"])
		trail = account_api.audit_trail(account)
		self.assertEqual(trail[0].event_type, EventType.ACCOUNT_ACTIVATED)
