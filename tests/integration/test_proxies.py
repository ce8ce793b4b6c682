"""Proxies an adult patient chooses on the portal: the invitation with its code, the code step of the
activation page, changes and renewals (the patient's alone) and stopping access; who may not is in
test_proxy_refusals.py. Every test that changes access checks the people it did not mean to touch."""

import json
import re
from contextlib import contextmanager
from unittest.mock import patch

import frappe
from frappe.tests.utils import change_settings
from frappe.utils import add_days, getdate, today
from frappe.utils.password import get_decrypted_password

from portal_onboarding.api import invitation as invitation_api
from portal_onboarding.api import proxies as proxies_api
from portal_onboarding.constants import ACCOUNT, EVENT, INVITATION, SETTINGS, AccessType, AccountStatus
from portal_onboarding.constants import EventType as E
from portal_onboarding.constants import InvitationStatus as I
from portal_onboarding.core.age_policy import add_months
from portal_onboarding.exceptions import InvalidAccount
from portal_onboarding.permissions import grants_with_sections
from portal_onboarding.primitives import links
from tests.integration.committed import CommittedCase
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	add_session,
	make_account,
	queued_mails,
	run_after_commit,
	session_count,
	strong_password,
	unique,
)

PEOPLE = "/portal/people"
API = "/api/method/portal_onboarding.api.proxies."
REFUSAL = "This part of the portal is not available to you."
CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")


@contextmanager
def signed_in(user: str):
	frappe.set_user(user)
	try:
		yield
	finally:
		frappe.set_user("Administrator")


def events(account: str) -> list[str]:
	return frappe.get_all(EVENT, filters={"account": account}, pluck="event_type", order_by="creation asc")


def mails_to(address: str) -> int:
	return frappe.db.count("Email Queue Recipient", {"recipient": address})


class ProxyCase(CommittedCase):
	def tearDown(self):
		frappe.db.rollback()
		frappe.db.sql("delete from `__Auth` where doctype = %s and fieldname = 'proxy_code'", INVITATION)
		frappe.db.commit()
		super().tearDown()

	def self_login(self, **kw) -> tuple[str, str, str]:
		"""A patient with an Active Self login; (patient, user, password)."""
		patient = self.patient(**kw)
		_account, _invitation, key = self.invited(patient.name)
		password = strong_password()
		assert accept_link(key, password=password, dob=str(patient.dob))["ok"]
		frappe.db.commit()
		return patient.name, frappe.db.get_value(ACCOUNT, {"patient": patient.name}, "user"), password

	def invite(self, user: str, sections=("Appointments", "Invoices"), end=None, **kw) -> dict:
		"""The patient's own login invites a person, as the People page does; the mail is delivered."""
		person = {"first_name": "Ana", "last_name": "Proxy", "email": f"{unique('ana')}@example.com"}
		person.update({"relation": "Spouse or Partner", **kw})
		end = end or add_months(getdate(today()), 6).isoformat()
		with JobRecorder() as jobs, signed_in(user):
			result = proxies_api.invite(sections=json.dumps(list(sections)), end_date=end, **person)
		jobs.run()
		if result["ok"]:
			result["invitation"] = links.account_invitations(result["account"])[0]
			result["email"] = person["email"]
		return result

	def activate(self, invitation: str, code: str, **kw) -> dict:
		key = activation_key(invitation)
		assert invitation_api.verify_identity(key, code=code)["ok"]
		with patch.object(frappe.local, "login_manager", create=True):
			return invitation_api.accept(
				key,
				kw.get("username") or unique("ana."),
				kw.get("password") or strong_password(),
				existing_login=kw.get("existing", 0),
			)


class TestInvite(ProxyCase):
	def test_invite_makes_a_proxy_with_the_chosen_sections_end_date_and_an_encrypted_code(self):
		patient, user, _password = self.self_login()
		bystander, _other_user, _p = self.self_login()
		own_email, other_email = (frappe.db.get_value("Patient", p, "email") for p in (patient, bystander))
		before = mails_to(own_email), mails_to(other_email)
		end = add_months(getdate(today()), 12)
		result = self.invite(user, ("Appointments", "Lab Results"), end.isoformat())
		self.assertTrue(result["ok"], result)
		self.assertRegex(result["code"], CODE)
		account = frappe.get_doc(ACCOUNT, result["account"])
		self.assertEqual(
			(account.patient, account.access_type, account.adult_proxy, account.status, account.relation),
			(patient, AccessType.REPRESENTATIVE, 1, AccountStatus.INVITED, "Spouse or Partner"),
		)
		self.assertEqual(
			sorted(r.portal_section for r in account.permitted_sections), ["Appointments", "Lab Results"]
		)
		self.assertEqual(getdate(account.access_valid_until), end)
		# The code is kept encrypted: the row shows a mask, the secrets table no clear text.
		stored = frappe.db.get_value(INVITATION, result["invitation"], "proxy_code")
		self.assertEqual(set(stored), {"*"})
		(cipher,) = frappe.db.sql(
			"select password from `__Auth` where doctype = %s and name = %s",
			(INVITATION, result["invitation"]),
		)[0]
		self.assertNotIn(result["code"].replace("-", ""), cipher)
		self.assertEqual(
			get_decrypted_password(INVITATION, result["invitation"], "proxy_code"),
			result["code"].replace("-", ""),
		)
		(mail,) = queued_mails(result["invitation"])
		self.assertEqual(mail["recipients"], [result["email"]])
		first, last = frappe.db.get_value("Patient", patient, ["first_name", "last_name"])
		self.assertIn(first, mail["subject"])
		self.assertIn(f"the code {first} gave you", mail["html"])
		for secret in (result["code"], result["code"].replace("-", ""), last, "1990"):
			self.assertNotIn(secret, mail["html"])
		self.assertEqual((mails_to(own_email), mails_to(other_email)), before)
		self.assertIn(E.PROXY_INVITED, events(account.name))
		self.assertEqual(frappe.db.count(ACCOUNT, {"patient": bystander}), 1)

	def test_bad_choices_are_refused_field_by_field_and_nothing_is_made(self):
		patient, user, _password = self.self_login()
		too_late = add_months(getdate(today()), 19).isoformat()
		for kw, field in (
			({"email": "not-an-address"}, "email"),
			({"first_name": " "}, "first_name"),
			({"relation": "Neighbour"}, "relation"),
			({"sections": ()}, "sections"),
			({"sections": ("Secrets",)}, "sections"),
			({"end": too_late}, "end_date"),
			({"end": add_days(today(), -1)}, "end_date"),
			({"end": "31-31-2031"}, "end_date"),
		):
			result = self.invite(user, **kw)
			self.assertEqual((result["ok"], result["field"]), (False, field), kw)
		self.assertEqual(frappe.db.count(ACCOUNT, {"patient": patient}), 1)

	def test_a_parent_whose_access_ended_at_majority_becomes_the_proxy_others_stay_the_clinics(self):
		patient, user, _password = self.self_login()
		ended, suspended = (f"{unique('parent')}@example.com" for _ in range(2))
		for email, aged_out in ((ended, today()), (suspended, None)):
			make_account(
				patient,
				access_type=AccessType.REPRESENTATIVE,
				relation="Parent",
				contact_email=email,
				status=AccountStatus.SUSPENDED,
				aged_out_on=aged_out,
			)
		result = self.invite(user, ("Forms",), email=ended, relation="Parent")
		account = frappe.get_doc(ACCOUNT, result["account"])
		self.assertEqual((account.contact_email, account.adult_proxy, account.aged_out_on), (ended, 1, None))
		self.assertEqual(
			(account.status, [r.portal_section for r in account.permitted_sections]),
			(AccountStatus.INVITED, ["Forms"]),
		)
		refused = self.invite(user, email=suspended)
		self.assertEqual((refused["ok"], refused["field"]), (False, "email"))
		self.assertEqual(
			frappe.db.get_value(ACCOUNT, {"contact_email": suspended}, "status"), AccountStatus.SUSPENDED
		)


class TestCodeStep(ProxyCase):
	def test_wrong_code_is_counted_dob_and_zip_are_no_answer_and_the_right_code_passes(self):
		patient, user, _password = self.self_login()
		result = self.invite(user)
		key = activation_key(result["invitation"])
		with change_settings(SETTINGS, {"require_identity_check": 0}):
			state = invitation_api.check_link(key)
		self.assertEqual((state["needs_identity"], state["proxy"]), (True, True))
		self.assertEqual(state["invited_by"], frappe.db.get_value("Patient", patient, "first_name"))
		self.assertNotIn("username", state)
		wrong = invitation_api.verify_identity(key, code="AAAA-AAAA")
		dob_zip = invitation_api.verify_identity(key, "1990-05-17", "90210")
		self.assertEqual(wrong, dob_zip)  # the one failure message
		self.assertFalse(wrong["ok"] or wrong["invalid_link"])
		self.assertEqual(frappe.db.get_value(INVITATION, result["invitation"], "identity_attempts"), 2)
		self.assertTrue(
			invitation_api.verify_identity(key, code=result["code"].lower().replace("-", " "))["ok"]
		)

	def test_three_wrong_codes_revoke_the_link(self):
		_patient, user, _password = self.self_login()
		result = self.invite(user)
		key = activation_key(result["invitation"])
		answers = [invitation_api.verify_identity(key, code="ZZZZ-ZZZZ")["invalid_link"] for _ in range(3)]
		self.assertEqual(answers, [False, False, True])
		self.assertEqual(frappe.db.get_value(INVITATION, result["invitation"], "status"), I.REVOKED)
		self.assertEqual(
			frappe.db.get_value(ACCOUNT, result["account"], "status"), AccountStatus.INVITE_FAILED
		)
		self.assertTrue(invitation_api.verify_identity(key, code=result["code"])["invalid_link"])

	def test_activation_makes_a_login_whose_grants_hold_exactly_the_chosen_sections(self):
		patient, user, _password = self.self_login()
		result = self.invite(user, ("Appointments", "Documents"))
		self.assertEqual(self.activate(result["invitation"], result["code"])["redirect_to"], "/portal")
		proxy = frappe.db.get_value(ACCOUNT, result["account"], "user")
		(grant,) = grants_with_sections(proxy)
		self.assertEqual(
			(grant.patient, grant.sections, grant.is_self),
			(patient, frozenset({"Appointments", "Documents"}), False),
		)
		self.assertEqual([g.patient for g in grants_with_sections(user)], [patient])

	def test_activation_adds_the_patient_to_a_login_the_person_already_has(self):
		patient, user, _password = self.self_login()
		own_patient, proxy_user, proxy_password = self.self_login()
		username = frappe.db.get_value("User", proxy_user, "username")
		result = self.invite(user, ("Forms",))
		self.assertTrue(
			self.activate(
				result["invitation"], result["code"], username=username, password=proxy_password, existing=1
			)["ok"]
		)
		grants = {g.patient: g for g in grants_with_sections(proxy_user)}
		self.assertEqual(set(grants), {patient, own_patient})
		self.assertEqual(grants[patient].sections, frozenset({"Forms"}))


class TestChangeAndRenewal(ProxyCase):
	def test_the_patient_changes_and_renews_staff_may_only_shorten(self):
		_patient, user, _password = self.self_login()
		end = add_months(getdate(today()), 3)
		account = self.invite(user, end=end.isoformat())["account"]
		later = add_months(getdate(today()), 9)
		with signed_in(user):
			answer = proxies_api.change(account, json.dumps(["Prescriptions"]), later.isoformat())
			too_late = proxies_api.change(
				account, json.dumps(["Prescriptions"]), add_months(getdate(today()), 19).isoformat()
			)
		self.assertTrue(answer["ok"], answer)
		self.assertEqual((too_late["ok"], too_late["field"]), (False, "end_date"))
		doc = frappe.get_doc(ACCOUNT, account)
		self.assertEqual(
			(getdate(doc.access_valid_until), [r.portal_section for r in doc.permitted_sections]),
			(later, ["Prescriptions"]),
		)
		self.assertEqual(events(account)[-2:], [E.PROXY_CHANGED, E.PROXY_RENEWED])

		manager, _pw = self.user(["System Manager", "Portal Onboarding Manager"])
		with signed_in(manager):
			for refused in (add_days(later, 1), None):
				doc = frappe.get_doc(ACCOUNT, account)
				doc.access_valid_until = refused
				with self.assertRaises(InvalidAccount):
					doc.save()
			doc = frappe.get_doc(ACCOUNT, account)
			doc.access_valid_until = add_days(later, -30)
			doc.save()
		self.assertEqual(
			getdate(frappe.db.get_value(ACCOUNT, account, "access_valid_until")), add_days(later, -30)
		)


class TestRevoke(ProxyCase):
	def test_revoke_ends_access_and_sessions_and_leaves_everyone_else_alone(self):
		patient, user, _password = self.self_login()
		gone, kept = self.invite(user), self.invite(user, ("Forms",))
		for each in (gone, kept):
			self.activate(each["invitation"], each["code"])
		gone_user, kept_user = (frappe.db.get_value(ACCOUNT, r["account"], "user") for r in (gone, kept))
		pending = self.invite(user)
		for login in (gone_user, kept_user, user):
			add_session(login)
		with signed_in(user):
			self.assertTrue(proxies_api.revoke(gone["account"])["ok"])
			self.assertTrue(proxies_api.revoke(pending["account"])["ok"])
		run_after_commit()
		self.assertEqual(frappe.db.get_value(ACCOUNT, gone["account"], "status"), AccountStatus.SUSPENDED)
		self.assertEqual(grants_with_sections(gone_user), [])
		self.assertEqual(
			(session_count(gone_user), frappe.db.get_value("User", gone_user, "enabled")), (0, 0)
		)
		self.assertEqual(
			frappe.db.get_value(INVITATION, pending["invitation"], ["status", "token_hash"]),
			(I.REVOKED, None),
		)
		self.assertIn(E.PROXY_REVOKED, events(gone["account"]))
		# The other proxy and the patient keep their access and their sessions.
		self.assertEqual([g.patient for g in grants_with_sections(kept_user)], [patient])
		self.assertEqual((session_count(kept_user), session_count(user)), (1, 1))

	def test_a_login_that_reaches_another_patient_keeps_working(self):
		_patient, user, _password = self.self_login()
		own_patient, proxy_user, proxy_password = self.self_login()
		result = self.invite(user)
		username = frappe.db.get_value("User", proxy_user, "username")
		self.activate(
			result["invitation"], result["code"], username=username, password=proxy_password, existing=1
		)
		add_session(proxy_user)
		with signed_in(user):
			proxies_api.revoke(result["account"])
		run_after_commit()
		self.assertEqual([g.patient for g in grants_with_sections(proxy_user)], [own_patient])
		self.assertEqual(
			(session_count(proxy_user), frappe.db.get_value("User", proxy_user, "enabled")), (1, 1)
		)
