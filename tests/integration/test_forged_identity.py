"""Identity that staff cannot forge, links no one can redirect, sign-in only from the portal's pages.

Each scenario runs over real HTTP requests against committed data (a nurse's session, a guest's
browser with the `Origin` it would send), then reads the mail the site queued and who did not get it.
"""

import re
from typing import Any
from unittest.mock import patch

from werkzeug.test import Client

import frappe
from frappe.utils import add_to_date, now_datetime
from frappe.utils.password import check_password

from portal_onboarding.constants import (
	ACCOUNT,
	EVENT,
	INVITATION,
	MANAGER_ROLE,
	PATIENT,
	PORTAL_REASON_FIELD,
	REGISTRATION,
	SETTINGS,
	AccountStatus,
	EventType,
	InvitationStatus,
)
from tests.integration.committed import CommittedCase
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	in_own_thread,
	queued_mails,
	strong_password,
	unique,
)
from tests.site import site_name

API = "/api/method/portal_onboarding.api."
EVIL = "evil.example"
S = AccountStatus


def own_origin() -> str:
	return f"http://{site_name()}"


def browse(
	steps: list[tuple[str, str, dict | None, dict | None]], login: tuple[str, str] | None = None
) -> list:
	"""One browser: signs in with `login` first (when given), then makes each (method, path, form,
	headers) request with its cookies; the site is named by Host unless a step says otherwise."""

	def work() -> list[Any]:
		from frappe.app import application

		client = Client(application)
		host = {"Host": site_name(), "Origin": own_origin()}
		out = []
		if login:
			signed_in = client.post(
				"/api/method/login", data={"usr": login[0], "pwd": login[1]}, headers=host
			)
			assert signed_in.status_code == 200, signed_in.get_data(as_text=True)
		for method, path, data, headers in steps:
			out.append(client.open(path, method=method, data=data, headers={**host, **(headers or {})}))
		return out

	return in_own_thread(work)


def answer(response) -> dict:
	return (response.get_json() or {}).get("message") or {}


def can_sign_in(user_or_username: str, password: str) -> bool:
	(response,) = browse([("POST", "/api/method/login", {"usr": user_or_username, "pwd": password}, None)])
	return response.status_code == 200


def mails_to(address: str) -> list[dict]:
	"""Every queued mail to `address`, with its HTML."""
	names = frappe.get_all("Email Queue Recipient", filters={"recipient": address}, pluck="parent")
	mails = []
	for name in names:
		row = frappe.get_doc("Email Queue", name)
		mails.append({"name": name, "reference": row.reference_name, "html": queued_html(row)})
	return mails


def queued_html(row) -> str:
	import email

	parsed = email.message_from_string(row.message)
	return "".join(
		part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
		for part in parsed.walk()
		if part.get_content_type() == "text/html"
	)


class ForgeryCase(CommittedCase):
	def user(self, roles: list[str], **kw) -> tuple[str, str]:
		user = super().user(roles, **kw)
		frappe.db.commit()  # the browser signs in on a connection of its own
		return user

	def activated(self, patient: str) -> tuple[str, str, str, str]:
		"""An Active Self account whose holder chose `password`: (account, login, username, password)."""
		account, _invitation, key = self.invited(patient)
		username, password = unique("pat."), strong_password()
		self.assertTrue(accept_link(key, username=username, password=password)["ok"])
		frappe.db.commit()
		return account, frappe.db.get_value(ACCOUNT, account, "user"), username, password

	def nurse(self) -> tuple[str, str]:
		"""A member of staff with no portal role: she reads the DOB and address and writes Patient."""
		return self.user(["Nursing User"])

	def staff_sets_email(self, nurse: tuple[str, str], patient: str, address: str) -> JobRecorder:
		"""The nurse types `address` into the Patient's email over HTTP; the jobs it queued are returned."""
		with JobRecorder() as jobs:
			(response,) = browse(
				[
					(
						"POST",
						"/api/method/frappe.client.set_value",
						{"doctype": PATIENT, "name": patient, "fieldname": "email", "value": address},
						None,
					)
				],
				login=nurse,
			)
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		frappe.db.rollback()  # read what the request committed
		return jobs


class TestStaffCannotTakeALoginOver(ForgeryCase):
	"""Item 1: the email-change guard never hands the existing login to the address staff typed."""

	def test_an_active_login_stays_with_its_password_holder(self):
		patient = self.patient()
		account, login, username, password = self.activated(patient.name)
		nurse = self.nurse()
		own = f"{unique('nurse')}@example.com"
		jobs = self.staff_sets_email(nurse, patient.name, own)
		jobs.run()
		frappe.db.commit()
		(link,) = frappe.get_all(INVITATION, filters={"account": account, "reverification": 1}, pluck="name")
		key = activation_key(link)
		self.assertEqual([m["reference"] for m in mails_to(own)], [link], "only the confirmation link")

		# The nurse answers the identity check with what she reads on the Patient form, then tries to
		# choose a password (or name a login of her own) for the patient's login.
		dob = str(frappe.db.get_value(PATIENT, patient.name, "dob"))
		her_password = strong_password()
		responses = browse(
			[
				("POST", f"{API}invitation.check_link", {"key": key}, None),
				(
					"POST",
					f"{API}invitation.verify_identity",
					{"key": key, "date_of_birth": dob, "home_zip": "90210"},
					None,
				),
				(
					"POST",
					f"{API}invitation.accept",
					{"key": key, "username": username, "password": her_password},
					None,
				),
				(
					"POST",
					f"{API}invitation.accept",
					{"key": key, "username": unique("her."), "password": her_password},
					None,
				),
			]
		)
		self.assertTrue(answer(responses[1])["ok"])
		for attempt in responses[2:]:
			self.assertEqual(attempt.status_code, 200)
			self.assertFalse(answer(attempt)["ok"], answer(attempt))
		self.assertTrue(answer(responses[0])["reverification"], "the page asks for the current password")
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, ["status", "user"]), (S.SUSPENDED, login))
		self.assertEqual(frappe.db.get_value(INVITATION, link, "status"), InvitationStatus.SENT)
		self.assertFalse(can_sign_in(username, her_password), "her password opens nothing")
		self.assertEqual(check_password(login, password), login, "the patient's password is unchanged")
		self.assertFalse(frappe.db.exists("User", {"username": ("like", "her.%")}))

		# The holder of the login confirms the new address with the password they sign in with.
		(confirmed,) = browse([("POST", f"{API}invitation.accept", {"key": key, "password": password}, None)])
		self.assertTrue(answer(confirmed)["ok"], answer(confirmed))
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.get_value(ACCOUNT, account, ["status", "user", "contact_email"]), (S.ACTIVE, login, own)
		)
		self.assertTrue(can_sign_in(username, password))

	def test_an_invited_patients_link_never_follows_a_staff_edit(self):
		patient = self.patient()
		account, first_link, key = self.invited(patient.name)
		nurse = self.nurse()
		own = f"{unique('nurse')}@example.com"
		jobs = self.staff_sets_email(nurse, patient.name, own)
		self.assertEqual(jobs.methods(), [], "nothing is sent from her session")
		jobs.run()
		frappe.db.commit()
		self.assertEqual(mails_to(own), [], "no link reaches the address she typed")
		self.assertEqual(frappe.db.get_value(INVITATION, first_link, "status"), InvitationStatus.REVOKED)
		self.assertEqual(
			frappe.db.count(INVITATION, {"account": account, "status": ("in", InvitationStatus.LIVE)}), 0
		)
		(checked,) = browse([("POST", f"{API}invitation.check_link", {"key": key}, None)])
		self.assertTrue(answer(checked)["invalid_link"])
		status, reason = frappe.db.get_value(ACCOUNT, account, ["status", "status_reason"])
		self.assertEqual(status, S.ENABLED)
		self.assertIn(nurse[0], reason)
		self.assertIn(own, frappe.db.get_value(PATIENT, patient.name, PORTAL_REASON_FIELD))
		(event,) = frappe.get_all(
			EVENT,
			filters={"account": account, "event_type": EventType.EMAIL_CHANGED},
			fields=["actor", "details"],
		)
		self.assertEqual(event.actor, nurse[0])

	def test_an_admins_edit_sends_the_invitation_to_the_new_address(self):
		patient = self.patient()
		account, first_link, _key = self.invited(patient.name)
		admin = self.user(["System Manager", MANAGER_ROLE])
		new = f"{unique('moved')}@example.com"
		jobs = self.staff_sets_email(admin, patient.name, new)
		jobs.run()
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value(INVITATION, first_link, "status"), InvitationStatus.REVOKED)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), S.INVITED)
		self.assertEqual(len(mails_to(new)), 1)


class TestLinksFromConfiguration(ForgeryCase):
	"""Item 2: mailed links take their address from configuration, never from the request's Host."""

	def without_host_name(self):
		real = frappe.get_site_config

		def config(*args, **kwargs):
			conf = real(*args, **kwargs)
			conf.pop("host_name", None)
			conf.pop("hostname", None)
			return conf

		return patch("frappe.get_site_config", config)

	def forged_host(self) -> dict:
		# A single-site bench answers whatever Host it is sent; the proxy names the site.
		return {"Host": EVIL, "X-Frappe-Site-Name": site_name(), "Origin": f"http://{EVIL}"}

	def sign_up(self, email: str) -> None:
		form = {
			"first_name": "Ana",
			"last_name": "Host",
			"date_of_birth": "1990-05-17",
			"home_zip": "90210",
			"email": email,
		}
		(response,) = browse([("POST", f"{API}registration.register", form, self.forged_host())])
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		self.assertTrue(answer(response)["ok"])

	def test_guest_mails_wait_while_no_address_is_configured(self):
		email = f"{unique('host')}@example.com"
		with self.without_host_name():
			self.sign_up(email)
		frappe.db.rollback()
		self.assertEqual(mails_to(email), [], "nothing is mailed with a link a visitor chose")
		self.assertFalse(frappe.db.exists(REGISTRATION, {"email": email}))
		self.assertTrue(
			frappe.db.exists(
				"Error Log",
				{
					"method": "Portal address not set",
					"creation": (">", add_to_date(now_datetime(), hours=-1)),
				},
			)
		)
		from portal_onboarding.setup.upkeep import settings_notices

		with patch.dict(frappe.local.conf, {"host_name": None, "hostname": None}):
			notices = settings_notices(frappe.get_single(SETTINGS))["notices"]
		self.assertTrue([n for n in notices if "Portal Address for Mailed Links" in n], notices)

	def configured(self, url: str | None) -> None:
		frappe.db.set_single_value(SETTINGS, "portal_base_url", url)
		frappe.db.commit()
		frappe.clear_document_cache(SETTINGS, SETTINGS)

	def test_links_start_with_the_configured_address(self):
		self.configured("https://portal.clinic.example/")
		try:
			email = f"{unique('host')}@example.com"
			with self.without_host_name():
				self.sign_up(email)
			frappe.db.rollback()
			(mail,) = mails_to(email)
			links = re.findall(r'href="([^"]+)"', mail["html"])
			self.assertTrue(
				[x for x in links if x.startswith("https://portal.clinic.example/portal/register#key=")]
			)
			self.assertNotIn(EVIL, mail["html"])
		finally:
			self.configured(None)

	def test_a_reset_asked_for_with_a_forged_host_points_at_the_portal(self):
		patient = self.patient()
		_account, _login, username, _password = self.activated(patient.name)
		self.configured("https://portal.clinic.example")
		try:
			with JobRecorder() as jobs, self.without_host_name():
				(response,) = browse(
					[("POST", f"{API}password.request_reset", {"identifier": username}, self.forged_host())]
				)
				self.assertEqual(response.status_code, 200)
				jobs.run()
			frappe.db.commit()
		finally:
			self.configured(None)
		(mail,) = [m for m in mails_to(patient.email) if "reset-password" in m["html"]]
		self.assertNotIn(EVIL, mail["html"])
		self.assertIn("https://portal.clinic.example/portal/reset-password#key=", mail["html"])


class TestSignInOnlyFromThePortalsPages(ForgeryCase):
	"""Item 3: the guest endpoints that sign a browser in refuse another site's POST (login CSRF)."""

	def test_a_page_elsewhere_cannot_sign_a_visitor_into_its_login(self):
		patient = self.patient()
		account, _link, key = self.invited(patient.name)
		dob = str(frappe.db.get_value(PATIENT, patient.name, "dob"))
		form = {"key": key, "username": unique("atk."), "password": strong_password()}
		elsewhere = [
			{"Origin": f"https://{EVIL}"},
			{"Origin": "null"},
			{"Origin": None, "Referer": f"https://{EVIL}/page"},
		]
		responses = browse(
			[
				(
					"POST",
					f"{API}invitation.verify_identity",
					{"key": key, "date_of_birth": dob, "home_zip": "90210"},
					None,
				)
			]
			+ [("POST", f"{API}invitation.accept", form, headers) for headers in elsewhere]
		)
		self.assertEqual([r.status_code for r in responses[1:]], [403, 403, 403])
		for response in responses[1:]:
			self.assertNotIn("sid=", response.headers.get("Set-Cookie", "").replace("sid=Guest", ""))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), S.INVITED)
		(own,) = browse([("POST", f"{API}invitation.accept", form, None)])
		self.assertTrue(answer(own)["ok"], answer(own))

	def test_a_reset_link_cannot_be_used_from_another_site(self):
		patient = self.patient()
		account, _login, _username, password = self.activated(patient.name)
		from portal_onboarding.accounts import management

		with JobRecorder():
			reset = management.send_password_reset(account)
		frappe.db.commit()
		html = queued_mails(reset, "Patient Portal Password Reset")[-1]["html"]
		key = re.search(r"#key=([A-Za-z0-9_\-]+)", html).group(1)
		new = strong_password()
		(refused,) = browse(
			[
				(
					"POST",
					f"{API}password.reset_password",
					{"key": key, "password": new},
					{"Origin": f"https://{EVIL}"},
				)
			]
		)
		self.assertEqual(refused.status_code, 403)
		login = frappe.db.get_value(ACCOUNT, account, "user")
		self.assertEqual(check_password(login, password), login)


class TestMarkupStaysText(ForgeryCase):
	"""Item 4: a first name with markup arrives in the invitation mail as text, over HTTP."""

	def test_an_admins_invitation_escapes_the_name(self):
		patient = self.patient()
		admin = self.user(["System Manager", MANAGER_ROLE])
		email = f"{unique('rep')}@example.com"
		name = '<a href="http://evil.example/x">Mum</a>'
		representative = frappe.as_json(
			{"first_name": name, "last_name": "Rep", "email": email, "relation": "Parent"}
		)
		with JobRecorder() as jobs:
			(response,) = browse(
				[
					(
						"POST",
						f"{API}invitation.invite",
						{"patient": patient.name, "representative": representative},
						None,
					)
				],
				login=admin,
			)
			self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
			jobs.run()
		frappe.db.commit()
		(mail,) = mails_to(email)
		self.assertNotIn('href="http://evil.example', mail["html"])
		self.assertIn("&lt;a href=", mail["html"])
		self.assertEqual(mails_to(patient.email), [], "the patient was not invited")
