"""The front desk's two daily questions on a real site: "send them a new password link" from the onboarding
report's email, and "when did they last sign in?" on the account's form and list."""

import frappe
from frappe.desk.form.load import getdoc
from frappe.desk.query_report import run as run_report
from frappe.utils import add_to_date, get_datetime, now_datetime

from portal_onboarding.accounts.last_login import copy_last_login
from portal_onboarding.api import account as account_api
from portal_onboarding.api import invitation as invitation_api
from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	MANAGER_ROLE,
	ONBOARDING_REPORT,
	PASSWORD_RESET,
	PATIENT,
	AccessType,
	AccountStatus,
	EventType,
)
from portal_onboarding.invitations import portal_access
from portal_onboarding.patches.v0_7 import fill_last_login
from portal_onboarding.reporting.report import rows_for
from tests.integration.committed import CommittedCase
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	http_as,
	make_eligible_patient,
	make_user,
	queued_mails,
	strong_password,
	unique,
)
from tests.integration.test_hardening import as_user
from tests.integration.test_invitation_flow import MailTestCase, invite_and_send
from tests.site import site_name

S = AccountStatus
RESET = "send_password_reset"


def activate(patient: str, **kw) -> str:
	"""Invite (the patient, or the representative in `kw`) and accept the link; the account."""
	account, _invitation, key = invite_and_send(patient, **kw)
	assert accept_link(key)["ok"]
	return account


def mail_count() -> int:
	return frappe.db.count("Email Queue Recipient")


def recipients_since(moment: object) -> list[str]:
	"""Everyone mail was queued for after `moment`."""
	return frappe.get_all(
		"Email Queue Recipient", filters={"creation": (">", moment)}, pluck="recipient", order_by="creation"
	)


def representative(family: str) -> dict:
	return {
		"first_name": "Rosa",
		"last_name": family,
		"email": f"{unique('rosa')}@example.com",
		"relation": "Parent",
	}


class TestResetFromTheReport(MailTestCase):
	def setUp(self):
		super().setUp()
		self.family = unique("Desk")
		self.manager, _pw = make_user([MANAGER_ROLE])

	def patient(self, **kw):
		return make_eligible_patient(last_name=self.family, **kw)

	def rows(self) -> dict[str, dict]:
		with as_user(self.manager):
			result = run_report(ONBOARDING_REPORT, filters={"search": self.family})
		return {row["patient"]: row for row in result["result"]}

	def test_an_active_patients_email_mails_a_reset_link_to_that_account_only(self):
		patient = self.patient()
		account = activate(patient.name)
		rep = representative(self.family)
		rep_account = activate(patient.name, representative=rep)
		neighbour = self.patient()
		neighbour_account = activate(neighbour.name)
		invitations = frappe.db.count(INVITATION)
		before = now_datetime()

		row = self.rows()[patient.name]
		self.assertEqual((row["email_action"], row["reset_account"]), (RESET, account))
		# What the email's click does, as the manager: the account's own "Send password reset".
		with as_user(self.manager):
			self.assertEqual(account_api.send_password_reset(row["reset_account"])["sent"], True)

		contact = frappe.db.get_value(ACCOUNT, account, "contact_email")
		self.assertEqual(contact, patient.email)
		self.assertEqual(recipients_since(before), [contact], "one mail, to the account's address only")
		(reset,) = frappe.get_all(PASSWORD_RESET, filters={"account": account}, pluck="name")
		(mail,) = queued_mails(reset, PASSWORD_RESET)
		self.assertEqual(mail["recipients"], [contact])
		self.assertIn("/portal/reset-password#key=", mail["html"])
		self.assertNotIn("/portal/activate", mail["html"])
		# Nobody else: no invitation anywhere, nothing for the representative or the neighbour.
		self.assertEqual(frappe.db.count(INVITATION), invitations)
		for other in (rep_account, neighbour_account):
			self.assertFalse(frappe.db.exists(PASSWORD_RESET, {"account": other}))
		self.assertNotIn(rep["email"], recipients_since(before))
		self.assertNotIn(neighbour.email, recipients_since(before))
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), S.ACTIVE)
		sent = frappe.get_all(
			EVENT,
			filters={"account": account, "event_type": EventType.PASSWORD_RESET_SENT},
			fields=["actor", "details"],
		)
		self.assertEqual([e.actor for e in sent], [self.manager])
		self.assertIn(contact, sent[0].details)

	def test_enabled_and_invited_patients_still_get_the_invitation(self):
		enabled, invited = self.patient(), self.patient()
		portal_access.enable(enabled.name)
		invite_and_send(invited.name)
		rows = self.rows()
		self.assertEqual(rows[enabled.name]["email_action"], "invite")
		self.assertEqual(rows[invited.name]["email_action"], "resend_invitation")
		self.assertIsNone(rows[enabled.name]["reset_account"])

		before = now_datetime()
		with as_user(self.manager), JobRecorder() as jobs:
			answers = [invitation_api.invite(p.name) for p in (enabled, invited)]
			jobs.run()
		for patient, answer in zip((enabled, invited), answers, strict=True):
			self.assertNotIn("already_active", answer)
			(mail,) = queued_mails(answer["invitation"])
			self.assertEqual(mail["recipients"], [patient.email])
			self.assertIn("/portal/activate#key=", mail["html"])
			self.assertFalse(frappe.db.exists(PASSWORD_RESET, {"account": answer["account"]}))
		self.assertEqual(sorted(recipients_since(before)), sorted([enabled.email, invited.email]))

	def test_the_invite_api_answers_an_active_patient_with_a_choice_and_sends_nothing(self):
		patient = self.patient()
		account = activate(patient.name)
		rep = representative(self.family)
		rep_account = activate(patient.name, representative=rep)
		invitations, events, before = frappe.db.count(INVITATION), frappe.db.count(EVENT), mail_count()

		with as_user(self.manager):
			answer = invitation_api.invite(patient.name)
			rep_answer = invitation_api.invite(patient.name, representative=frappe.as_json(rep))
		self.assertEqual(
			{k: answer[k] for k in ("already_active", "account", "action")},
			{"already_active": True, "account": account, "action": RESET},
		)
		self.assertIn("already activated", answer["message"])
		self.assertIn("Send a password reset link", answer["message"])
		self.assertIn(patient.email, answer["message"])
		self.assertEqual((rep_answer["account"], rep_answer["action"]), (rep_account, RESET))
		self.assertIn(rep["email"], rep_answer["message"])
		self.assertEqual(frappe.db.count(INVITATION), invitations)
		self.assertEqual(frappe.db.count(EVENT), events, "nothing happened, so nothing is audited")
		self.assertEqual(mail_count(), before)
		self.assertFalse(frappe.db.exists(PASSWORD_RESET, {"account": ("in", (account, rep_account))}))
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), S.ACTIVE)

		# An Active account no email reaches (credentials given in person): the answer says what to do.
		frappe.db.set_value(ACCOUNT, account, "contact_email", None)
		with as_user(self.manager):
			answer = invitation_api.invite(patient.name)
		self.assertTrue(answer["already_active"])
		self.assertIsNone(answer["action"])
		self.assertIn("Set credentials", answer["message"])
		self.assertEqual(mail_count(), before)

	def test_the_answer_keeps_every_refusal(self):
		patient = self.patient()
		account = activate(patient.name)
		nurse, _pw = make_user(["Nursing User"])
		elsewhere, _pw = make_user([MANAGER_ROLE])
		other = self.patient()
		frappe.get_doc(
			{"doctype": "User Permission", "user": elsewhere, "allow": PATIENT, "for_value": other.name}
		).insert(ignore_permissions=True)
		before = mail_count()
		for who in (nurse, elsewhere):
			with as_user(who):
				with self.assertRaises(frappe.PermissionError):
					invitation_api.invite(patient.name)
				with self.assertRaises(frappe.PermissionError):
					account_api.send_password_reset(account)
		self.assertEqual(mail_count(), before)
		self.assertFalse(frappe.db.exists(PASSWORD_RESET, {"account": account}))

	def test_each_row_tells_which_action_its_email_takes(self):
		active, enabled, invited, ineligible = (
			self.patient(),
			self.patient(),
			self.patient(),
			self.patient(pincode=""),
		)
		account = activate(active.name)
		portal_access.enable(enabled.name)
		invite_and_send(invited.name)
		# Active through a representative only: the patient's own email has no account behind it.
		by_rep = self.patient()
		activate(by_rep.name, representative=representative(self.family))
		suspended = self.patient()
		account_api.suspend(activate(suspended.name), "Lost phone")

		rows = self.rows()
		actions = {name: row["email_action"] for name, row in rows.items()}
		self.assertEqual(
			actions,
			{
				active.name: RESET,
				enabled.name: "invite",
				invited.name: "resend_invitation",
				ineligible.name: None,
				by_rep.name: None,
				suspended.name: None,
			},
		)
		self.assertEqual(rows[by_rep.name]["portal_status"], S.ACTIVE)
		self.assertIsNone(rows[by_rep.name]["reset_account"])
		self.assertEqual(rows[active.name]["reset_account"], account)
		# The row refreshed in place after a click says the same.
		with as_user(self.manager):
			(fresh,) = rows_for([active.name])
		self.assertEqual((fresh["email_action"], fresh["reset_account"]), (RESET, account))


class TestLastLogin(CommittedCase):
	def test_a_real_sign_in_shows_on_the_account_form_and_list(self):
		patient = self.patient()
		account, _invitation, key = self.invited(patient.name)
		username, password = unique("pat."), strong_password()
		self.assertTrue(accept_link(key, username, password)["ok"])
		frappe.db.commit()
		user = frappe.db.get_value(ACCOUNT, account, "user")
		self.assertIsNone(frappe.db.get_value(ACCOUNT, account, "last_login"))
		modified = frappe.db.get_value(ACCOUNT, account, "modified")

		login, page = http_as(site_name(), username, password, [("GET", "/portal")])
		self.assertEqual(login.status_code, 200, login.get_data(as_text=True))
		self.assertEqual(page.status_code, 200)

		frappe.db.rollback()  # read what the request committed
		stamp = frappe.db.get_value("User", user, "last_login")
		self.assertIsNotNone(stamp)
		self.assertLess(abs((now_datetime() - get_datetime(stamp)).total_seconds()), 300)
		getdoc(ACCOUNT, account)
		self.assertEqual(get_datetime(frappe.response.docs[-1].last_login), get_datetime(stamp))
		self.assertTrue(frappe.get_meta(ACCOUNT).get_field("last_login").in_list_view)
		(listed,) = frappe.get_list(ACCOUNT, filters={"name": account}, fields=["name", "last_login"])
		self.assertEqual(get_datetime(listed.last_login), get_datetime(stamp))
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "modified"), modified, "a sign-in is no edit")


class TestLastLoginKeptInStep(MailTestCase):
	def test_logins_made_before_the_change_are_filled_in_by_the_patch(self):
		patient = make_eligible_patient()
		account = activate(patient.name)
		enabled = portal_access.enable(make_eligible_patient().name).name
		never = activate(make_eligible_patient().name)
		user = frappe.db.get_value(ACCOUNT, account, "user")
		earlier = add_to_date(now_datetime(), days=-40)
		frappe.db.set_value("User", user, "last_login", earlier, update_modified=False)
		# User.last_login is a text field: a login that never signed in may hold an empty one.
		frappe.db.set_value("User", frappe.db.get_value(ACCOUNT, never, "user"), "last_login", "")
		frappe.db.set_value(ACCOUNT, account, "last_login", None, update_modified=False)

		fill_last_login.execute()
		self.assertEqual(get_datetime(frappe.db.get_value(ACCOUNT, account, "last_login")), earlier)
		self.assertIsNone(frappe.db.get_value(ACCOUNT, enabled, "last_login"))
		self.assertIsNone(frappe.db.get_value(ACCOUNT, never, "last_login"))

	def test_a_save_keeps_frappes_record_not_the_forms(self):
		patient = make_eligible_patient()
		account = activate(patient.name)
		user = frappe.db.get_value(ACCOUNT, account, "user")
		stamp = add_to_date(now_datetime(), hours=-2)
		frappe.db.set_value("User", user, "last_login", stamp, update_modified=False)
		doc = frappe.get_doc(ACCOUNT, account)
		doc.last_login = add_to_date(now_datetime(), days=-300)  # what a form opened long ago holds
		doc.save()
		self.assertEqual(get_datetime(frappe.db.get_value(ACCOUNT, account, "last_login")), stamp)

	def test_every_account_of_a_login_shows_its_sign_in(self):
		rep = representative(unique("Fam"))
		first, second = make_eligible_patient(), make_eligible_patient()
		username, password = unique("rosa."), strong_password()
		_a, _i, key = invite_and_send(first.name, representative=rep)
		self.assertTrue(accept_link(key, username=username, password=password)["ok"])
		_a, _i, key = invite_and_send(second.name, representative=rep)
		self.assertTrue(accept_link(key, username=username, password=password, existing_login=1)["ok"])
		accounts = frappe.get_all(
			ACCOUNT,
			filters={"patient": ("in", (first.name, second.name)), "access_type": AccessType.REPRESENTATIVE},
			pluck="name",
		)
		user = frappe.db.get_value(ACCOUNT, accounts[0], "user")
		stamp = add_to_date(now_datetime(), minutes=-1)
		frappe.db.set_value("User", user, "last_login", stamp, update_modified=False)

		copy_last_login(user)
		self.assertEqual(len(accounts), 2)
		for name in accounts:
			self.assertEqual(get_datetime(frappe.db.get_value(ACCOUNT, name, "last_login")), stamp)
