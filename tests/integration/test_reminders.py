"""Reminders and expiry on a real site: the hourly jobs, the mail in Email Queue, the links, the audit
trail, the onboarding report's row and funnel, and the one-click re-send."""

import json
import re
from unittest.mock import patch

import frappe
from frappe.desk.query_report import run as run_report
from frappe.tests.utils import FrappeTestCase, change_settings
from frappe.utils import add_to_date, now_datetime

from portal_onboarding import jobs
from portal_onboarding.api import account as account_api
from portal_onboarding.api import invitation as invitation_api
from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	INVITATION_TEMPLATE,
	ONBOARDING_REPORT,
	SETTINGS,
	AccessType,
	AccountStatus,
	EventType,
	InvitationStatus,
)
from portal_onboarding.core.reminders import ReminderPolicy
from portal_onboarding.core.status import STATUS_COLOURS
from portal_onboarding.core.tokens import hash_token
from portal_onboarding.invitations import activation, delivery, reminders, sending
from portal_onboarding.primitives.status import FUNNEL_CACHE_KEY
from tests.integration.bystanders import Untouched
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	ensure_outgoing_email_account,
	make_eligible_patient,
	queued_mails,
	unique,
)

# A week to live, a reminder after two days without an opening, two at most.
SETTINGS_ON = {
	"require_email": 1,
	"require_home_zip": 1,
	"require_identity_check": 1,
	"send_sms_notice": 0,
	"invitation_lifetime_hours": 168,
	"reminder_after_days": 2,
	"max_reminders": 2,
}
KEY = re.compile(r"/portal/activate#key=([A-Za-z0-9_\-]+)")


def key_in(mail: dict) -> str:
	match = KEY.search(mail["html"])
	assert match, "no activation link in the mail"
	return match.group(1)


def events(account: str, event_type: str) -> list[str]:
	return frappe.get_all(
		EVENT,
		filters={"account": account, "event_type": event_type},
		pluck="details",
		order_by="creation asc",
	)


class ReminderCase(Untouched, FrappeTestCase):
	def bystander_accounts(self) -> list[str]:
		"""The hourly job rightly reminds every unopened invitation on the site once the test's clock
		says it is due (the upgraded site's pending invitation among them); everyone else is untouched."""
		reminded_rightly = frappe.get_all(
			INVITATION,
			filters={"status": InvitationStatus.SENT, "opened_on": ("is", "not set")},
			pluck="account",
		)
		return [name for name in super().bystander_accounts() if name not in reminded_rightly]

	def setUp(self):
		super().setUp()
		self.enterContext(change_settings(SETTINGS, SETTINGS_ON))
		ensure_outgoing_email_account()
		self.family = unique("Rem")

	def tearDown(self):
		try:
			super().tearDown()  # no reminder reached anyone else on the site
		finally:
			frappe.db.rollback()  # the jobs lock patient rows: let them go between tests

	def send(self, **kw) -> tuple[str, str, str]:
		"""A new eligible patient invited by email; returns (account, invitation, key from the mail)."""
		kw.setdefault("last_name", self.family)
		patient = make_eligible_patient(**kw)
		with JobRecorder() as recorder:
			result = invitation_api.invite(patient.name)
			recorder.run()
		return result["account"], result["invitation"], activation_key(result["invitation"])

	def at(self, **delta):
		"""The clock moved on from when the invitations of this test were sent."""
		return self.freeze_time(add_to_date(now_datetime(), **delta))

	def run_job(self) -> None:
		"""The hourly entry point, as the scheduler calls it (its commits kept inside the test)."""
		with patch.object(frappe.db, "commit"):
			jobs.send_invitation_reminders()

	def remind_at(self, invitation: str, **delta) -> list[dict]:
		"""Run the job at that moment; the invitation's mails afterwards."""
		with self.at(**delta):
			self.run_job()
		return queued_mails(invitation)


class TestReminders(ReminderCase):
	def test_an_unopened_invitation_is_reminded_after_the_days_set_and_its_link_activates(self):
		account, invitation, first_key = self.send(language="es")
		sent_on = frappe.db.get_value(INVITATION, invitation, "sent_on")
		expires_on = frappe.db.get_value(INVITATION, invitation, "expires_on")

		self.assertEqual(len(self.remind_at(invitation, days=2, minutes=-5)), 1)  # not yet
		with self.at(days=2, minutes=1):
			reminded_at = now_datetime()
			self.run_job()
		first, reminder = queued_mails(invitation)

		self.assertEqual(reminder["recipients"], first["recipients"])
		self.assertTrue(reminder["subject"].startswith("Recordatorio: "), reminder["subject"])
		reminder_key = key_in(reminder)
		self.assertNotEqual(reminder_key, first_key)
		doc = frappe.get_doc(INVITATION, invitation)
		self.assertEqual((doc.status, doc.reminders_sent), (InvitationStatus.SENT, 1))
		self.assertEqual(doc.last_reminder_on, reminded_at)
		self.assertEqual(doc.sent_on, sent_on)
		self.assertEqual(doc.expires_on, expires_on)  # a reminder never extends the link
		# Only hashes are kept: the first link's and the reminder's.
		self.assertEqual(doc.token_hash, hash_token(first_key))
		self.assertEqual(doc.reminder_token_hash, hash_token(reminder_key))
		self.assertFalse(frappe.db.exists(INVITATION, {"reminder_token_hash": reminder_key}))
		(details,) = events(account, EventType.INVITATION_REMINDER_SENT)
		self.assertIn(f"Reminder 1 of 2 for invitation {invitation}", details)

		self.assertTrue(accept_link(reminder_key)["ok"])
		doc.reload()
		self.assertEqual(doc.status, InvitationStatus.ACCEPTED)
		self.assertEqual((doc.token_hash, doc.reminder_token_hash), (None, None))
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), AccountStatus.ACTIVE)
		for key in (first_key, reminder_key):
			self.assertIsNone(activation.find_invitation(key))
		self.assertEqual(len(self.remind_at(invitation, days=5)), 2)  # accepted: no more

	def test_the_reminder_mail_is_the_clinic_template_in_the_patients_language(self):
		# The template install makes today; a clinic's own template is kept as it is.
		template = frappe.get_doc("Email Template", INVITATION_TEMPLATE)
		template.response_html = frappe.read_file(
			frappe.get_app_path("portal_onboarding", "templates", "emails", "portal_invitation.html")
		)
		template.save(ignore_permissions=True)
		_account, english, _key = self.send()
		_account, spanish, _key = self.send(language="es")
		self.remind_at(english, days=2, minutes=1)

		first, reminder = queued_mails(english)
		self.assertEqual(reminder["subject"], f"Reminder: {first['subject']}")
		self.assertIn("A reminder: your invitation has not been used yet.", reminder["html"])
		self.assertNotIn("A reminder", first["html"])
		self.assertIn("Activate my portal account", reminder["html"])
		_first, recordatorio = queued_mails(spanish)
		self.assertIn("Le recordamos que aún no ha usado su invitación.", recordatorio["html"])

	def test_the_first_mails_link_still_works_and_only_the_latest_reminders(self):
		account, invitation, first_key = self.send()
		first_reminder = key_in(self.remind_at(invitation, days=2, minutes=1)[-1])
		self.assertEqual(len(self.remind_at(invitation, days=3)), 2)  # a day after the last: too soon
		mails = self.remind_at(invitation, days=4, minutes=2)
		self.assertEqual(len(mails), 3)
		second_reminder = key_in(mails[-1])
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "reminders_sent"), 2)
		self.assertEqual(len(events(account, EventType.INVITATION_REMINDER_SENT)), 2)

		self.assertIsNone(activation.find_invitation(first_reminder))
		self.assertIsNotNone(activation.find_invitation(second_reminder))
		self.assertIsNotNone(activation.find_invitation(first_key))
		# Two reminders is the maximum, however long the link still lives.
		self.assertEqual(len(self.remind_at(invitation, days=6, minutes=3)), 3)

		self.assertTrue(accept_link(first_key)["ok"])
		self.assertTrue(invitation_api.check_link(second_reminder)["invalid_link"])

	def test_opened_accepted_revoked_and_expired_invitations_get_none(self):
		_account, opened, key = self.send()
		self.assertTrue(invitation_api.check_link(key)["ok"])
		_account, accepted, key = self.send()
		self.assertTrue(accept_link(key)["ok"])
		suspended, revoked, _key = self.send()
		account_api.suspend(suspended, "Moved away")
		_account, lapsing, _key = self.send()
		frappe.db.set_value(INVITATION, lapsing, "expires_on", add_to_date(now_datetime(), days=1))
		waiting_account, waiting, _key = self.send()

		self.remind_at(waiting, days=2, minutes=1)
		for invitation in (opened, accepted, revoked, lapsing):
			self.assertEqual(len(queued_mails(invitation)), 1, invitation)
			self.assertEqual(frappe.db.get_value(INVITATION, invitation, "reminders_sent"), 0)
		self.assertEqual(len(queued_mails(waiting)), 2)  # the job did run

		# Once the expiry job has marked it, it is no candidate at all.
		with self.at(days=2, minutes=2), patch.object(frappe.db, "commit"):
			delivery.expire_overdue()
			due = reminders.due_invitations(ReminderPolicy(2, 2), now_datetime())
		self.assertEqual(frappe.db.get_value(INVITATION, lapsing, "status"), InvitationStatus.EXPIRED)
		self.assertNotIn(lapsing, due)
		self.assertEqual(len(events(waiting_account, EventType.INVITATION_REMINDER_SENT)), 1)

	def test_settings_at_zero_send_none(self):
		_account, invitation, _key = self.send()
		for off in ({"reminder_after_days": 0}, {"max_reminders": 0}):
			with change_settings(SETTINGS, off):
				self.assertEqual(len(self.remind_at(invitation, days=3)), 1, off)
		self.assertEqual(len(self.remind_at(invitation, days=3)), 2)

	def test_settings_whose_links_expire_before_the_first_reminder_warn_the_admin(self):
		frappe.clear_messages()
		with change_settings(SETTINGS, {"invitation_lifetime_hours": 48, "reminder_after_days": 2}):
			warnings = [message.get("title") for message in frappe.message_log]
		self.assertIn("No Reminders Will Be Sent", warnings)
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "invitation_lifetime_hours"), 168)

	def test_a_failed_reminder_is_logged_and_the_others_still_go_out(self):
		_account, broken, _key = self.send()
		_account, fine, _key = self.send()
		real_render = delivery.render_email

		def render(account, *args, **kw):
			if account.name == frappe.db.get_value(INVITATION, broken, "account"):
				raise RuntimeError("template error")
			return real_render(account, *args, **kw)

		with patch.object(delivery, "render_email", side_effect=render):
			self.remind_at(broken, days=2, minutes=1)
		self.assertEqual(len(queued_mails(broken)), 1)
		self.assertEqual(len(queued_mails(fine)), 2)
		doc = frappe.get_doc(INVITATION, broken)
		self.assertEqual((doc.reminders_sent, doc.last_reminder_on, doc.reminder_token_hash), (0, None, None))
		self.assertTrue(
			frappe.db.exists("Error Log", {"reference_doctype": INVITATION, "reference_name": broken})
		)
		# The next run tries again.
		self.assertEqual(len(self.remind_at(broken, days=2, minutes=61)), 2)

	def test_records_gone_before_the_job_ran_are_left_alone(self):
		reminders.remind("PPI-does-not-exist")
		self.assertFalse(frappe.db.exists(EVENT, {"details": ("like", "%PPI-does-not-exist%")}))


class TestExpiryAndResend(ReminderCase):
	def report_row(self, patient: str) -> dict:
		rows = run_report(ONBOARDING_REPORT, filters={"search": self.family})["result"]
		return next(row for row in rows if row["patient"] == patient)

	def test_a_reminders_link_dies_with_the_invitation_and_the_report_offers_a_new_one(self):
		account, invitation, first_key = self.send()
		patient = frappe.db.get_value(ACCOUNT, account, "patient")
		reminder_key = key_in(self.remind_at(invitation, days=2, minutes=1)[-1])

		with self.at(days=7, minutes=1):
			for key in (first_key, reminder_key):
				self.assertIsNone(activation.find_invitation(key))  # past its expiry, job or not
			with patch.object(frappe.db, "commit"):
				jobs.expire_invitations()
		doc = frappe.get_doc(INVITATION, invitation)
		self.assertEqual(doc.status, InvitationStatus.EXPIRED)
		self.assertEqual((doc.token_hash, doc.reminder_token_hash), (None, None))
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), AccountStatus.INVITE_EXPIRED)
		self.assertEqual(events(account, EventType.INVITATION_EXPIRED), [invitation])

		row = self.report_row(patient)
		self.assertEqual(row["portal_status"], AccountStatus.INVITE_EXPIRED)
		self.assertEqual(row["status_colour"], STATUS_COLOURS[AccountStatus.INVITE_EXPIRED])
		self.assertTrue(row["eligible"])  # so its email re-sends the invitation in one click

		# The row's click: the invitation API, as the report calls it.
		with JobRecorder() as recorder:
			result = invitation_api.invite(patient)
			recorder.run()
		self.assertEqual(result["account"], account)
		new = result["invitation"]
		self.assertNotEqual(new, invitation)
		self.assertEqual(frappe.db.get_value(INVITATION, new, "status"), InvitationStatus.SENT)
		new_key = activation_key(new)
		self.assertIsNotNone(activation.find_invitation(new_key))
		for key in (first_key, reminder_key):
			self.assertTrue(invitation_api.check_link(key)["invalid_link"])
		self.assertEqual(self.report_row(patient)["portal_status"], AccountStatus.INVITED)
		self.assertEqual(len(events(account, EventType.INVITATION_RESENT)), 1)
		self.assertTrue(accept_link(new_key)["ok"])

	def test_the_account_form_resends_an_expired_invitation_to_a_representative(self):
		self_account, _invitation, _key = self.send()
		patient = frappe.db.get_value(ACCOUNT, self_account, "patient")
		with JobRecorder() as recorder:
			result = invitation_api.invite(
				patient,
				representative={
					"first_name": "Rita",
					"last_name": self.family,
					"email": f"{unique('rep')}@example.com",
					"relation": "Parent",
				},
			)
			recorder.run()
		account, invitation = result["account"], result["invitation"]
		frappe.db.set_value(INVITATION, invitation, "expires_on", add_to_date(now_datetime(), hours=-1))
		with patch.object(frappe.db, "commit"):
			delivery.expire_overdue()
		doc = frappe.get_doc(ACCOUNT, account)
		self.assertEqual(doc.status, AccountStatus.INVITE_EXPIRED)
		doc.run_method("onload")
		self.assertIn("resend_invitation", doc.get_onload()["actions"])

		# What the form's Resend invitation sends: the representative as the form shows them.
		with JobRecorder() as recorder:
			again = invitation_api.invite(
				patient,
				representative=json.dumps(
					{
						"first_name": doc.first_name,
						"last_name": doc.last_name,
						"email": doc.contact_email,
						"mobile": doc.contact_mobile,
						"relation": doc.relation,
					}
				),
			)
			recorder.run()
		self.assertEqual(again["account"], account)
		self.assertEqual(
			frappe.db.count(ACCOUNT, {"patient": patient, "access_type": AccessType.REPRESENTATIVE}), 1
		)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), AccountStatus.INVITED)
		self.assertEqual(
			frappe.db.get_value(INVITATION, again["invitation"], "status"), InvitationStatus.SENT
		)
		self.assertEqual(len(events(account, EventType.INVITATION_RESENT)), 1)

	def test_a_resend_an_account_cannot_take_is_refused_and_nothing_is_made(self):
		account, invitation, key = self.send()
		patient = frappe.db.get_value(ACCOUNT, account, "patient")
		self.assertTrue(accept_link(key)["ok"])
		doc = frappe.get_doc(ACCOUNT, account)
		doc.run_method("onload")
		self.assertNotIn("resend_invitation", doc.get_onload()["actions"])
		# No link: the answer offers the account's password reset instead.
		answer = invitation_api.invite(patient)
		self.assertEqual((answer["already_active"], answer["account"]), (True, account))
		self.assertIn("already activated", answer["message"])
		self.assertEqual(frappe.get_all(INVITATION, filters={"account": account}, pluck="name"), [invitation])
		self.assertEqual(events(account, EventType.INVITATION_RESENT), [])


class TestFunnel(ReminderCase):
	def cards(self) -> dict:
		summary = run_report(ONBOARDING_REPORT, filters={"search": self.family})["report_summary"]
		return {card["label"]: card["value"] for card in summary}

	def test_the_funnel_counts_reminders_and_activations_after_one(self):
		_a, twice, _key = self.send()
		_b, once, once_first_key = self.send()
		_c, _opened, opened_key = self.send()
		_d, _browsed, browsed_key = self.send()
		for key in (opened_key, browsed_key):
			self.assertTrue(invitation_api.check_link(key)["ok"])

		frappe.cache.set_value(FUNNEL_CACHE_KEY, (1, 1, 1), expires_in_sec=300)
		self.remind_at(twice, days=2, minutes=1)
		self.assertIsNone(frappe.cache.get_value(FUNNEL_CACHE_KEY, expires=True))  # a reminder drops it
		self.assertTrue(accept_link(once_first_key)["ok"])  # after its reminder, by the first link
		self.assertTrue(accept_link(opened_key)["ok"])  # never reminded
		self.remind_at(twice, days=4, minutes=2)
		self.assertEqual(frappe.db.get_value(INVITATION, once, "reminders_sent"), 1)
		self.assertEqual(frappe.db.get_value(INVITATION, twice, "reminders_sent"), 2)

		cards = self.cards()
		self.assertEqual(cards["Accounts invited"], 4)
		self.assertEqual(cards["Link opened"], "3 (75.0%)")
		self.assertEqual(cards["Activated"], "2 (50.0%)")
		self.assertEqual(cards["Reminded"], "2 (50.0%)")
		self.assertEqual(cards["Reminders sent"], 3)
		self.assertEqual(cards["Activated after a reminder"], "1 (50.0%)")

	def test_an_expired_reminded_invitation_resent_still_counts_its_reminders(self):
		account, invitation, _key = self.send()
		patient = frappe.db.get_value(ACCOUNT, account, "patient")
		self.remind_at(invitation, days=2, minutes=1)
		frappe.db.set_value(INVITATION, invitation, "expires_on", add_to_date(now_datetime(), hours=-1))
		with patch.object(frappe.db, "commit"):
			delivery.expire_overdue()
		with JobRecorder() as recorder:
			sending.invite(patient)
			recorder.run()
		cards = self.cards()
		self.assertEqual((cards["Accounts invited"], cards["Reminded"]), (1, "1 (100.0%)"))
		self.assertEqual(cards["Reminders sent"], 1)
		self.assertEqual(cards["Activated after a reminder"], "0 (0.0%)")
