"""The account-takeover and wrong-recipient holes in invitations and activation, each as a scenario."""

from unittest.mock import patch

import frappe
from frappe.tests.utils import change_settings
from frappe.utils import add_to_date, now_datetime
from frappe.utils.password import check_password

from portal_onboarding.api import account as account_api
from portal_onboarding.api import invitation as invitation_api
from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	MANAGER_ROLE,
	PATIENT,
	PORTAL_REASON_FIELD,
	SEND_INVITATION_FIELD,
	SETTINGS,
	AccountStatus,
	EventType,
	InvitationStatus,
)
from portal_onboarding.exceptions import InvalidAccount
from portal_onboarding.invitations import activation, delivery, portal_access
from portal_onboarding.permissions import portal_grants
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	add_session,
	confirm_identity,
	make_eligible_patient,
	make_patient,
	make_user,
	queued_mails,
	run_after_commit,
	session_count,
	strong_password,
	unique,
)
from tests.integration.test_invitation_flow import MailTestCase, event_types, invite_and_send

REPRESENTATIVE = {"first_name": "Pat", "last_name": "Parent", "relation": "Parent"}


def as_user(user: str):
	"""Run a block as `user`, back to Administrator afterwards."""

	class _As:
		def __enter__(self):
			frappe.set_user(user)

		def __exit__(self, *exc):
			frappe.set_user("Administrator")

	return _As()


def activated(patient: str, **kw) -> tuple[str, str, str]:
	"""Invite the patient and activate the link; returns (account, login, password)."""
	account, _invitation, key = invite_and_send(patient)
	password = kw.pop("password", None) or strong_password()
	result = accept_link(key, password=password, **kw)
	assert result["ok"], result
	return account, frappe.db.get_value(ACCOUNT, account, "user"), password


class TestLoginTakeover(MailTestCase):
	"""1. A login is reused only when it is provably this person's; never from `user_id` alone."""

	def test_nurse_cannot_take_another_familys_login_through_user_id(self):
		_family_account, family_login, family_password = activated(make_eligible_patient().name)
		nurse, _pw = make_user(["Nursing User"])
		victim = make_eligible_patient()
		with as_user(nurse):
			doc = frappe.get_doc(PATIENT, victim.name)
			doc.email = nurse
			doc.user_id = family_login
			doc.save()
		self.assertEqual(frappe.db.get_value(PATIENT, victim.name, "user_id"), family_login)

		account, invitation, key = invite_and_send(victim.name)
		self.assertEqual(queued_mails(invitation)[0]["recipients"], [nurse])
		result = accept_link(key, username=unique("nurse."), password=strong_password())
		self.assertTrue(result["ok"], result)

		self.assertNotEqual(frappe.db.get_value(ACCOUNT, account, "user"), family_login)
		check_password(family_login, family_password)  # the family's password still works
		self.assertEqual(frappe.db.count(ACCOUNT, {"user": family_login}), 1)
		self.assertEqual(frappe.db.get_value("User", family_login, "enabled"), 1)

	def test_marley_login_with_another_address_is_not_reused(self):
		patient = make_eligible_patient()
		marley_login, marley_password = make_user(["Patient"], user_type="Website User")
		frappe.db.set_value(PATIENT, patient.name, "user_id", marley_login)
		account, _login, _pw = activated(patient.name)
		self.assertNotEqual(frappe.db.get_value(ACCOUNT, account, "user"), marley_login)
		check_password(marley_login, marley_password)

	def test_marley_login_another_account_uses_is_not_reused(self):
		first = make_eligible_patient()
		marley_login, _marley_password = make_user(["Patient"], email=first.email, user_type="Website User")
		frappe.db.set_value(PATIENT, first.name, "user_id", marley_login)
		_account, login, password = activated(first.name)
		self.assertEqual(login, marley_login)
		# A sibling sharing the address cannot pick up the same login through user_id.
		second = make_eligible_patient(email=first.email)
		frappe.db.set_value(PATIENT, second.name, "user_id", marley_login)
		account, _login, _pw = activated(second.name)
		self.assertNotEqual(frappe.db.get_value(ACCOUNT, account, "user"), marley_login)
		check_password(marley_login, password)

	def test_a_re_invite_never_hands_over_a_login_that_reaches_other_patients(self):
		parent = make_eligible_patient()
		own, login, password = activated(parent.name)
		child = make_eligible_patient()
		_rep, _inv, key = invite_and_send(
			child.name, representative={**REPRESENTATIVE, "email": parent.email}
		)
		username = frappe.db.get_value("User", login, "username")
		self.assertTrue(accept_link(key, username, password, existing_login=1)["ok"])
		# The nurse points the parent's Patient at her own address; an admin re-invites the parent.
		frappe.db.set_value(PATIENT, parent.name, "email", f"{unique('nurse')}@example.com")
		account_api.disable(parent.name)
		account_api.enable(parent.name)
		_own, _inv, nurse_key = invite_and_send(parent.name)
		self.assertTrue(accept_link(nurse_key)["ok"])
		self.assertNotEqual(frappe.db.get_value(ACCOUNT, own, "user"), login)
		check_password(login, password)
		self.assertEqual([g.patient for g in portal_grants(login)], [child.name])

	def test_desk_login_is_never_reused(self):
		patient = make_eligible_patient()
		staff, staff_password = make_user(["Physician"], email=patient.email)
		frappe.db.set_value(PATIENT, patient.name, "user_id", staff)
		account, _login, _pw = activated(patient.name)
		self.assertNotEqual(frappe.db.get_value(ACCOUNT, account, "user"), staff)
		check_password(staff, staff_password)

	def test_setting_a_password_on_an_existing_login_ends_its_sessions(self):
		patient = make_eligible_patient()
		marley_login, _pw = make_user(["Patient"], email=patient.email, user_type="Website User")
		frappe.db.set_value(PATIENT, patient.name, "user_id", marley_login)
		add_session(marley_login)
		add_session(marley_login)
		_account, login, _pw = activated(patient.name)
		self.assertEqual(login, marley_login)  # provably the patient's own: Marley made it for this address
		self.assertEqual(session_count(marley_login), 2)  # nothing ends before the commit
		run_after_commit()
		self.assertEqual(session_count(marley_login), 0)


class TestOnlyAdminsInvite(MailTestCase):
	"""2. The invitation toggles count only when an admin saved them."""

	def setUp(self):
		super().setUp()
		self.nurse, _pw = make_user(["Nursing User"])

	def test_toggles_are_on_a_permission_level_only_admins_write(self):
		meta = frappe.get_meta(PATIENT)
		self.assertEqual(meta.get_field(SEND_INVITATION_FIELD).permlevel, 1)
		self.assertEqual(meta.get_field("invite_user").permlevel, 1)
		manager, _pw = make_user([MANAGER_ROLE, "Nursing User"])
		self.assertNotIn(1, meta.get_permlevel_access("write", user=self.nurse))
		self.assertIn(1, meta.get_permlevel_access("write", user=manager))

	def test_nurse_saving_in_desk_cannot_tick_the_toggle(self):
		patient = make_eligible_patient()
		with JobRecorder() as jobs, as_user(self.nurse):
			doc = frappe.get_doc(PATIENT, patient.name)
			doc.set(SEND_INVITATION_FIELD, 1)
			doc.invite_user = 1
			doc.save()
		self.assertEqual(jobs.jobs, [])
		self.assertEqual(frappe.db.get_value(PATIENT, patient.name, SEND_INVITATION_FIELD), 0)
		self.assertFalse(frappe.db.exists(ACCOUNT, {"patient": patient.name}))

	def test_toggle_set_by_code_running_as_a_nurse_is_cleared_told_and_audited(self):
		with JobRecorder() as jobs, as_user(self.nurse):
			frappe.clear_messages()
			patient = make_eligible_patient(send_portal_invitation=1)
			messages = " ".join(str(m) for m in frappe.get_message_log())
		self.assertEqual(jobs.jobs, [])
		self.assertEqual(frappe.db.get_value(PATIENT, patient.name, SEND_INVITATION_FIELD), 0)
		self.assertIn("ask an admin", messages)
		self.assertIn(EventType.INVITATION_REFUSED, event_types(patient.name))

	def test_marley_invite_user_from_a_nurse_is_cleared_too(self):
		with JobRecorder() as jobs, as_user(self.nurse):
			patient = make_eligible_patient(invite_user=1)
		self.assertEqual(jobs.jobs, [])
		self.assertEqual(frappe.db.get_value(PATIENT, patient.name, "invite_user"), 0)
		self.assertFalse(frappe.db.get_value(PATIENT, patient.name, "user_id"))

	def test_a_manager_ticking_the_toggle_still_invites(self):
		manager, _pw = make_user([MANAGER_ROLE, "Nursing User"])
		patient = make_eligible_patient()
		with JobRecorder() as jobs, as_user(manager):
			doc = frappe.get_doc(PATIENT, patient.name)
			doc.set(SEND_INVITATION_FIELD, 1)
			doc.save()
		self.assertEqual(jobs.methods(), ["portal_onboarding.jobs.onboard_patient"])


class TestCurrentAddress(MailTestCase):
	"""3. Every invite goes to the Patient's address as it is now."""

	def test_resend_after_the_email_is_corrected_mails_the_new_address(self):
		patient = make_eligible_patient()
		old = patient.email
		account, first, _key = invite_and_send(patient.name)
		self.assertEqual(queued_mails(first)[0]["recipients"], [old])
		new = f"{unique('fixed')}@example.com"
		frappe.db.set_value(PATIENT, patient.name, "email", new)
		_account, second, _key = invite_and_send(patient.name)
		self.assertEqual(queued_mails(second)[0]["recipients"], [new])
		self.assertEqual(frappe.db.get_value(INVITATION, second, "sent_to"), new)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "contact_email"), new)
		details = frappe.get_all(
			EVENT, filters={"account": account, "event_type": EventType.ACCESS_CHANGED}, pluck="details"
		)
		self.assertTrue(any(old in d and new in d for d in details), details)

	def test_address_corrected_while_the_invitation_is_queued(self):
		patient = make_eligible_patient()
		with JobRecorder() as jobs:
			result = invitation_api.invite(patient.name)
			new = f"{unique('fixed')}@example.com"
			frappe.db.set_value(PATIENT, patient.name, "email", new)
			jobs.run()
		self.assertEqual(queued_mails(result["invitation"])[0]["recipients"], [new])


class TestInvitationMail(MailTestCase):
	def test_names_typed_by_staff_are_escaped_in_the_mail(self):
		patient = make_eligible_patient()
		name = '<a href="https://evil.example/">Mum</a>'
		account, invitation, _key = invite_and_send(
			patient.name,
			representative={**REPRESENTATIVE, "first_name": name, "email": f"{unique('m')}@example.com"},
		)
		self.assertIn("<a", frappe.db.get_value(ACCOUNT, account, "first_name"))
		html = queued_mails(invitation)[0]["html"]
		self.assertNotIn('href="https://evil.example/"', html)
		self.assertIn("Hello &lt;a", html)  # escaped once, shown as typed

	def test_escaping_does_not_depend_on_the_template(self):
		# A clinic's own wording that inserts names raw (as the text shipped before did), and one that
		# escapes them itself: both show the name as typed, escaped once, never as markup.
		name = "<b>Mum</b> <a href='https://evil.example/'>x</a>"
		for body in ("<p>Dear {{ first_name }} of {{ clinic_name }}</p>", "<p>Dear {{ first_name|e }}</p>"):
			template = frappe.get_doc(
				{
					"doctype": "Email Template",
					"name": unique("Clinic Invitation "),
					"subject": "Invitation for {{ first_name }}",
					"use_html": 1,
					"response_html": body + '<a href="{{ activation_link }}">go</a>',
				}
			).insert()
			self.enterContext(change_settings(SETTINGS, {"invitation_email_template": template.name}))
			patient = make_eligible_patient()
			_account, invitation, _key = invite_and_send(
				patient.name,
				representative={**REPRESENTATIVE, "first_name": name, "email": f"{unique('m')}@example.com"},
			)
			(mail,) = queued_mails(invitation)
			tags = tags_in(mail["html"])
			self.assertNotIn("b", tags, body)
			self.assertEqual([href for href in tags["a"] if "evil.example" in (href or "")], [], body)
			self.assertIn("Dear &lt;b&gt;Mum&lt;/b&gt; &lt;a href=", mail["html"], body)
			self.assertNotIn("&amp;lt;", mail["html"], body)
			# The subject is plain text: never HTML-escaped.
			self.assertNotIn("&lt;", mail["subject"])


def tags_in(html: str) -> dict[str, list[str | None]]:
	"""The elements a mail client would render, by tag, with their href."""
	from html.parser import HTMLParser

	found: dict[str, list[str | None]] = {}

	class Parser(HTMLParser):
		def handle_starttag(self, tag, attrs):
			found.setdefault(tag, []).append(dict(attrs).get("href"))

	Parser().feed(html)
	return found


class TestOneLinkOneGrant(MailTestCase):
	"""4. A representative's activation grants only the patient of the link used."""

	def invite_parent(self, email: str, children: list) -> list[tuple[str, str]]:
		out = []
		for child in children:
			account, _inv, key = invite_and_send(
				child.name, representative={**REPRESENTATIVE, "email": email}
			)
			out.append((account, key))
		return out

	def test_activating_one_link_leaves_the_other_patients_waiting(self):
		email = f"{unique('parent')}@example.com"
		children = [make_eligible_patient(), make_eligible_patient()]
		(first, first_key), (second, second_key) = self.invite_parent(email, children)
		self.assertTrue(accept_link(first_key)["ok"])
		user = frappe.db.get_value(ACCOUNT, first, "user")
		self.assertEqual([g.patient for g in portal_grants(user)], [children[0].name])
		self.assertEqual(frappe.db.get_value(ACCOUNT, second, "status"), AccountStatus.INVITED)
		self.assertIsNone(frappe.db.get_value(ACCOUNT, second, "user"))
		self.assertIsNotNone(activation.find_invitation(second_key))

	def test_adding_a_patient_to_an_existing_login_needs_its_password(self):
		email = f"{unique('parent')}@example.com"
		children = [make_eligible_patient(), make_eligible_patient()]
		(first, first_key), (second, second_key) = self.invite_parent(email, children)
		username, password = unique("parent."), strong_password()
		self.assertTrue(accept_link(first_key, username, password)["ok"])
		wrong = accept_link(second_key, username, strong_password(), existing_login=1)
		unknown = accept_link(second_key, unique("nobody."), password, dob=None, existing_login=1)
		self.assertFalse(wrong["ok"])
		self.assertEqual(wrong["message"], unknown["message"])
		self.assertEqual(frappe.db.get_value(ACCOUNT, second, "status"), AccountStatus.INVITED)
		right = accept_link(second_key, username, password, dob=None, existing_login=1)
		self.assertTrue(right["ok"], right)
		self.assertEqual(
			frappe.db.get_value(ACCOUNT, second, "user"), frappe.db.get_value(ACCOUNT, first, "user")
		)

	def test_a_revoked_link_moves_its_account_out_of_invited_with_the_reason(self):
		patient = make_eligible_patient()
		account, invitation, key = invite_and_send(patient.name)
		for _ in range(3):
			confirm_identity(key, "2001-01-01", "00000")
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "status"), InvitationStatus.REVOKED)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), AccountStatus.INVITE_FAILED)
		self.assertIn(
			"three wrong identity answers", frappe.db.get_value(PATIENT, patient.name, PORTAL_REASON_FIELD)
		)
		# The admin can send a new link at once.
		_account, _again, new_key = invite_and_send(patient.name)
		self.assertIsNotNone(activation.find_invitation(new_key))


class TestOnlyTheAppsActions(MailTestCase):
	"""5. Desk and REST cannot make or reshape grants, nor touch invitations."""

	def setUp(self):
		super().setUp()
		self.manager, _pw = make_user(["System Manager", MANAGER_ROLE])
		self.patient = make_eligible_patient()
		self.account, self.invitation, self.key = invite_and_send(self.patient.name)

	def test_managers_cannot_create_accounts(self):
		someone, _pw = make_user(["Patient"], user_type="Website User")
		for user in (self.manager, "Administrator"):
			with as_user(user), self.assertRaises(frappe.PermissionError):
				frappe.client.insert(
					{
						"doctype": ACCOUNT,
						"patient": make_patient().name,
						"access_type": "Authorized Representative",
						"relation": "Parent",
						"first_name": "Mallory",
						"username": unique("mallory."),
						"status": AccountStatus.ACTIVE,
						"user": someone,
					}
				)
		self.assertFalse(frappe.db.exists(ACCOUNT, {"user": someone}))

	def test_managers_cannot_change_status_login_username_or_sections(self):
		someone, _pw = make_user(["Patient"], user_type="Website User")
		for field, value in (
			("status", AccountStatus.ACTIVE),
			("user", someone),
			("username", unique("other.")),
		):
			with as_user(self.manager), self.assertRaises(frappe.PermissionError):
				frappe.client.set_value(ACCOUNT, self.account, field, value)
		doc = frappe.get_doc(ACCOUNT, self.account)
		doc.append("permitted_sections", {"portal_section": "Invoices"})
		doc.permitted_sections = [r for r in doc.permitted_sections if r.portal_section == "Invoices"]
		with as_user(self.manager), self.assertRaises(frappe.PermissionError):
			doc.save()
		self.assertEqual(frappe.db.get_value(ACCOUNT, self.account, "status"), AccountStatus.INVITED)
		self.assertIsNone(frappe.db.get_value(ACCOUNT, self.account, "user"))

	def test_sections_change_through_the_audited_action(self):
		with as_user(self.manager):
			result = account_api.set_permitted_sections(self.account, ["Appointments", "Lab Results"])
			with self.assertRaises(InvalidAccount):
				account_api.set_permitted_sections(self.account, ["Appointments", "Everything"])
		self.assertEqual(result["sections"], ["Appointments", "Lab Results"])
		details = frappe.get_all(
			EVENT, filters={"account": self.account, "event_type": EventType.ACCESS_CHANGED}, pluck="details"
		)
		self.assertTrue(
			any("Permitted Portal Sections" in d and "Lab Results" in d for d in details), details
		)
		nurse, _pw = make_user(["Nursing User"])
		with as_user(nurse), self.assertRaises(frappe.PermissionError):
			account_api.set_permitted_sections(self.account, ["Appointments"])

	def test_desk_saves_a_whole_active_account_as_json(self):
		import json

		account, _login, _pw = activated(make_eligible_patient().name)
		before = frappe.db.count(EVENT, {"account": account, "event_type": EventType.ACCESS_CHANGED})
		doc = json.loads(frappe.as_json(frappe.get_doc(ACCOUNT, account).as_dict()))  # dates as strings
		doc["last_name"] = "Corrected"
		with as_user(self.manager):
			frappe.client.save(doc)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "last_name"), "Corrected")
		after = frappe.db.count(EVENT, {"account": account, "event_type": EventType.ACCESS_CHANGED})
		self.assertEqual(after, before)  # nothing the audit tracks changed

	def test_managers_may_still_correct_names_and_end_dates_audited(self):
		until = frappe.utils.add_days(frappe.utils.today(), 30)
		with as_user(self.manager):
			frappe.client.set_value(
				ACCOUNT, self.account, {"last_name": "Corrected", "access_valid_until": until}
			)
		self.assertEqual(frappe.db.get_value(ACCOUNT, self.account, "last_name"), "Corrected")
		details = frappe.get_all(
			EVENT, filters={"account": self.account, "event_type": EventType.ACCESS_CHANGED}, pluck="details"
		)
		self.assertTrue(any("Access Valid Until" in d for d in details), details)

	def test_invitations_are_read_only_to_every_role(self):
		frappe.db.set_value(INVITATION, self.invitation, "identity_attempts", 2)
		changes = (
			("status", InvitationStatus.SENT),
			("identity_attempts", 0),
			("expires_on", add_to_date(now_datetime(), days=30)),
		)
		for user in (self.manager, "Administrator"):
			for field, value in changes:
				with as_user(user), self.assertRaises(frappe.PermissionError):
					frappe.client.set_value(INVITATION, self.invitation, field, value)
		self.assertEqual(frappe.db.get_value(INVITATION, self.invitation, "identity_attempts"), 2)
		with as_user(self.manager):
			self.assertFalse(frappe.has_permission(INVITATION, "write"))
			self.assertFalse(frappe.has_permission(INVITATION, "create"))
			self.assertFalse(frappe.has_permission(ACCOUNT, "create"))

	def test_deleting_an_account_is_audited_and_ends_the_logins_sessions(self):
		account, login, _pw = activated(make_eligible_patient().name)
		add_session(login)
		with as_user(self.manager), self.assertRaises(frappe.PermissionError):
			frappe.client.delete(ACCOUNT, account)  # Desk's own delete is not open to anyone
		with as_user(self.manager):
			account_api.delete_account(account)
		self.assertFalse(frappe.db.exists(ACCOUNT, account))
		deleted = frappe.get_all(EVENT, filters={"account": account, "event_type": EventType.ACCOUNT_DELETED})
		self.assertEqual(len(deleted), 1)
		self.assertEqual(frappe.db.get_value("User", login, "enabled"), 0)
		run_after_commit()
		self.assertEqual(session_count(login), 0)

	def test_deleting_one_of_a_representatives_accounts_keeps_the_login(self):
		email = f"{unique('parent')}@example.com"
		username, password = unique("parent."), strong_password()
		accounts = []
		for child in (make_eligible_patient(), make_eligible_patient()):
			account, _inv, key = invite_and_send(
				child.name, representative={**REPRESENTATIVE, "email": email}
			)
			accept_link(key, username, password, existing_login=int(bool(accounts)))
			accounts.append(account)
		login = frappe.db.get_value(ACCOUNT, accounts[0], "user")
		add_session(login)
		account_api.delete_account(accounts[0])
		run_after_commit()
		self.assertEqual(frappe.db.get_value("User", login, "enabled"), 1)
		self.assertEqual(session_count(login), 1)
		self.assertEqual(len(portal_grants(login)), 1)


class TestIdentityCheck(MailTestCase):
	"""7 and 9. The identity check counts under the lock, and gates the username check."""

	def setUp(self):
		super().setUp()
		self.patient = make_eligible_patient()
		self.account, self.invitation, self.key = invite_and_send(self.patient.name)

	def test_revocation_clears_the_token_hash(self):
		for _ in range(3):
			confirm_identity(self.key, "2001-01-01", "00000")
		self.assertIsNone(frappe.db.get_value(INVITATION, self.invitation, "token_hash"))

	def test_username_check_needs_the_identity_check_first(self):
		before = invitation_api.check_username(self.key, "free.name." + unique(""))
		self.assertFalse(before["available"])
		self.assertIn("confirm the patient's details", before["message"])
		self.assertTrue(confirm_identity(self.key)["ok"])
		after = invitation_api.check_username(self.key, "free.name." + unique(""))
		self.assertTrue(after["available"], after)

	def test_accept_needs_the_identity_check_first(self):
		result = accept_link(self.key, dob=None)
		self.assertFalse(result["ok"])
		self.assertEqual(frappe.db.get_value(ACCOUNT, self.account, "status"), AccountStatus.INVITED)

	def test_staff_and_patient_usernames_get_the_same_not_available(self):
		self.assertTrue(confirm_identity(self.key)["ok"])
		staff, _pw = make_user(["Physician"])
		frappe.db.set_value("User", staff, "username", "dr." + unique(""))
		other = portal_access.enable(make_eligible_patient().name)
		staff_answer = invitation_api.check_username(self.key, frappe.db.get_value("User", staff, "username"))
		patient_answer = invitation_api.check_username(self.key, other.username)
		self.assertFalse(staff_answer["available"])
		self.assertEqual(staff_answer, patient_answer)
		self.assertNotIn("staff", str(staff_answer).lower())

	@change_settings("Portal Onboarding Settings", {"require_identity_check": 0})
	def test_without_an_identity_check_the_link_alone_opens_the_username_step(self):
		state = invitation_api.check_link(self.key)
		self.assertFalse(state["needs_identity"])
		self.assertTrue(invitation_api.check_username(self.key, "free.name." + unique(""))["available"])


class TestTokenOutsideTheHash(MailTestCase):
	"""8. The key travels in the fragment, and its hash is kept out of version history."""

	def test_the_mail_carries_the_key_in_the_fragment_only(self):
		patient = make_eligible_patient()
		_account, invitation, key = invite_and_send(patient.name)
		html = queued_mails(invitation)[0]["html"]
		self.assertIn(f"/portal/activate#key={key}", html)
		self.assertNotIn("?key=", html)

	def test_the_token_hash_is_not_in_version_history(self):
		patient = make_eligible_patient()
		_account, invitation, key = invite_and_send(patient.name)
		accept_link(key)
		versions = frappe.get_all(
			"Version", filters={"ref_doctype": INVITATION, "docname": invitation}, pluck="data"
		)
		self.assertEqual(versions, [])
		self.assertFalse(frappe.get_meta(INVITATION).track_changes)


class TestBugs(MailTestCase):
	"""10. Renamed logins, expiry racing acceptance."""

	def test_a_freed_username_of_a_renamed_login_is_not_available_and_never_a_500(self):
		patient = make_eligible_patient()
		first_name = unique("first.")
		account, login, _pw = activated(patient.name, username=first_name)
		account_api.disable(patient.name)
		account_api.enable(patient.name)
		_account, _inv, key = invite_and_send(patient.name)
		second_name = unique("second.")
		self.assertTrue(accept_link(key, second_name)["ok"])
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "user"), login)  # the app's own login, renamed
		self.assertEqual(frappe.db.get_value("User", login, "username"), second_name)

		other = make_eligible_patient()
		_other_account, _inv, other_key = invite_and_send(other.name)
		result = accept_link(other_key, first_name)
		self.assertFalse(result["ok"])
		self.assertIn("not available", result["message"])

	def test_expiry_never_overwrites_a_link_accepted_a_moment_ago(self):
		patient = make_eligible_patient()
		account, invitation, key = invite_and_send(patient.name)
		frappe.db.set_value(INVITATION, invitation, "expires_on", add_to_date(now_datetime(), minutes=-1))
		real_get_all = frappe.get_all

		def stale_get_all(doctype, *args, **kwargs):
			# The hourly job listed the link as Sent just before the person accepted it.
			rows = real_get_all(doctype, *args, **kwargs)
			if doctype == INVITATION and not rows:
				return (
					[invitation] if kwargs.get("pluck") else [frappe._dict(name=invitation, account=account)]
				)
			return rows

		frappe.db.set_value(INVITATION, invitation, "expires_on", add_to_date(now_datetime(), hours=1))
		self.assertTrue(accept_link(key)["ok"])
		frappe.db.set_value(INVITATION, invitation, "expires_on", add_to_date(now_datetime(), minutes=-1))
		with patch.object(frappe, "get_all", stale_get_all), patch.object(frappe.db, "commit"):
			delivery.expire_overdue()
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "status"), InvitationStatus.ACCEPTED)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), AccountStatus.ACTIVE)

	def test_expiry_is_audited(self):
		patient = make_eligible_patient()
		account, invitation, _key = invite_and_send(patient.name)
		frappe.db.set_value(INVITATION, invitation, "expires_on", add_to_date(now_datetime(), minutes=-1))
		with patch.object(frappe.db, "commit"):
			delivery.expire_overdue()
		self.assertEqual(frappe.db.get_value(INVITATION, invitation, "status"), InvitationStatus.EXPIRED)
		self.assertIsNone(frappe.db.get_value(INVITATION, invitation, "token_hash"))
		self.assertIn(EventType.INVITATION_EXPIRED, event_types(patient.name))
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), AccountStatus.INVITE_EXPIRED)
