"""Whose address a guest request counts as, over real requests: X-Forwarded-For counts only as far as
trusted proxies wrote it, and one client cannot fill the site-wide sign-up cap."""

import secrets
from typing import Any

from werkzeug.test import Client

import frappe
from frappe.tests.utils import FrappeTestCase

from portal_onboarding.constants import EVENT, REGISTRATION, SETTINGS, EventType
from portal_onboarding.exceptions import InvalidSettings
from tests.integration.committed import CommittedCase
from tests.integration.factories import ensure_outgoing_email_account, in_own_thread, unique
from tests.site import site_name

API = "/api/method/portal_onboarding.api."
WRONG = {"date_of_birth": "2001-01-01", "home_zip": "00000"}


def client_ip() -> str:
	"""An address from TEST-NET-3 for a client's own connection."""
	return f"203.0.113.{secrets.randbelow(250) + 1}"


def another(address: str) -> str:
	"""A client address other than `address`."""
	while (other := client_ip()) == address:
		pass
	return other


def forged_ip() -> str:
	"""An address from TEST-NET-2 for what a client claims in X-Forwarded-For."""
	return f"198.51.100.{secrets.randbelow(250) + 1}"


def http_from(requests: list[tuple[str, dict, str, str | None]]) -> list[Any]:
	"""POST each (path, form, peer, X-Forwarded-For) as a guest; the peer is the connection's address."""

	def work() -> list[Any]:
		from frappe.app import application

		client = Client(application)
		responses = []
		for path, data, peer, forwarded_for in requests:
			headers = {"Host": site_name()}
			if forwarded_for is not None:
				headers["X-Forwarded-For"] = forwarded_for
			responses.append(
				client.post(path, data=data, headers=headers, environ_overrides={"REMOTE_ADDR": peer})
			)
		return responses

	return in_own_thread(work)


def bad_link() -> dict:
	"""A wrong answer for a link that does not exist: the address budget is spent, nothing is written."""
	return {"key": secrets.token_urlsafe(32), **WRONG}


def codes(responses: list[Any]) -> list[int]:
	return [response.status_code for response in responses]


class TestClientAddressOverHttp(CommittedCase):
	"""The per-address budget of verify_identity is 100 an hour; the audit records the client's address."""

	def check_failed_from(self, peer: str, forwarded_for: str | None) -> str | None:
		"""One wrong identity answer on a real link; the client_ip its audit event recorded."""
		patient = self.patient()
		account, _invitation, key = self.invited(patient.name)
		(response,) = http_from(
			[(API + "invitation.verify_identity", {"key": key, **WRONG}, peer, forwarded_for)]
		)
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		frappe.db.rollback()
		return frappe.db.get_value(
			EVENT, {"account": account, "event_type": EventType.IDENTITY_CHECK_FAILED}, "client_ip"
		)

	def test_a_client_forging_x_forwarded_for_still_spends_its_own_budget(self):
		peer = client_ip()
		responses = http_from(
			[(API + "invitation.verify_identity", bad_link(), peer, forged_ip()) for _ in range(101)]
		)
		self.assertEqual(codes(responses), [200] * 100 + [429])

	def test_an_ipv6_client_rotating_its_addresses_within_its_64_shares_one_budget(self):
		site, subnet = secrets.randbelow(0xFFFF), secrets.randbelow(0xFFFE)
		responses = http_from(
			[
				(
					API + "invitation.verify_identity",
					bad_link(),
					f"2001:db8:{site:x}:{subnet:x}::{i + 1:x}",
					None,
				)
				for i in range(101)
			]
		)
		self.assertEqual(codes(responses), [200] * 100 + [429])
		# The next /64 is another client, with a budget of its own.
		(neighbour,) = http_from(
			[(API + "invitation.verify_identity", bad_link(), f"2001:db8:{site:x}:{subnet + 1:x}::1", None)]
		)
		self.assertEqual(neighbour.status_code, 200)

	def test_the_audit_records_the_connections_address_not_a_forged_header(self):
		peer = client_ip()
		self.assertEqual(self.check_failed_from(peer, "192.0.2.66"), peer)

	def test_behind_a_trusted_proxy_the_address_the_proxy_saw_counts(self):
		# nginx's $proxy_add_x_forwarded_for: whatever the client sent, then the address nginx saw.
		audited = client_ip()
		self.assertEqual(self.check_failed_from("127.0.0.1", f"{forged_ip()}, {audited}"), audited)
		counted = another(audited)  # a budget of its own, untouched by the request above
		responses = http_from(
			[
				(API + "invitation.verify_identity", bad_link(), "127.0.0.1", f"{forged_ip()}, {counted}")
				for _ in range(101)
			]
		)
		self.assertEqual(codes(responses), [200] * 100 + [429])
		# Another client whose forged header names the first one is not held back by its budget.
		(other,) = http_from(
			[(API + "invitation.verify_identity", bad_link(), "127.0.0.1", f"{counted}, {another(counted)}")]
		)
		self.assertEqual(other.status_code, 200)

	def test_only_the_configured_proxies_are_trusted(self):
		previous = frappe.db.get_single_value(SETTINGS, "trusted_proxies")
		self.addCleanup(self.restore_trusted_proxies, previous)
		settings = frappe.get_single(SETTINGS)
		settings.trusted_proxies = "10.20.0.0/16\n127.0.0.1"
		settings.save()
		frappe.db.commit()
		real = client_ip()
		# Two proxies of the clinic's network, one behind the other.
		self.assertEqual(self.check_failed_from("10.20.0.2", f"{forged_ip()}, {real}, 10.20.0.1"), real)
		# A neighbour on 10.30/16 is no proxy of this site: its own address counts.
		self.assertEqual(self.check_failed_from("10.30.0.9", real), "10.30.0.9")

	def restore_trusted_proxies(self, value: str | None) -> None:
		frappe.db.rollback()
		settings = frappe.get_single(SETTINGS)
		settings.trusted_proxies = value
		settings.save()
		frappe.db.commit()


class TestTrustedProxiesSetting(FrappeTestCase):
	def test_a_line_that_is_no_address_or_network_refuses_the_save(self):
		settings = frappe.get_single(SETTINGS)
		settings.trusted_proxies = "10.0.0.0/8\nproxy.clinic.example"
		with self.assertRaises(InvalidSettings) as refused:
			settings.save()
		self.assertIn("proxy.clinic.example is not an IP address or network", str(refused.exception))
		frappe.db.rollback()


class TestSignUpBudgetPerClient(FrappeTestCase):
	"""Sign-ups: 20 per client an hour, 50 per client a day, 1,000 unconfirmed a day site-wide."""

	def setUp(self):
		ensure_outgoing_email_account()
		frappe.db.commit()
		self.prefix = unique("client-cap-")

	def tearDown(self):
		frappe.cache.delete_keys("portal_onboarding:rl:")
		frappe.db.rollback()
		requests = frappe.get_all(REGISTRATION, filters={"email": ("like", f"{self.prefix}%")}, pluck="name")
		if requests:
			mails = frappe.get_all(
				"Email Queue",
				filters={"reference_doctype": REGISTRATION, "reference_name": ("in", requests)},
				pluck="name",
			)
			if mails:
				frappe.db.delete("Email Queue Recipient", {"parent": ("in", mails)})
				frappe.db.delete("Email Queue", {"name": ("in", mails)})
			frappe.db.delete(REGISTRATION, {"name": ("in", requests)})
		frappe.db.commit()

	def sign_ups(self, peer: str, label: str, n: int) -> list[int]:
		return codes(
			http_from(
				[
					(API + "registration.register", self.form(f"{label}{i}"), peer, forged_ip())
					for i in range(n)
				]
			)
		)

	def form(self, label: str) -> dict:
		return {
			"first_name": "Ana",
			"last_name": "Signup",
			"date_of_birth": "1990-05-17",
			"home_zip": "90210",
			"email": f"{self.prefix}{label}@example.com",
		}

	def test_one_client_cannot_fill_the_site_wide_sign_up_cap(self):
		peer = client_ip()
		neighbour = another(peer)
		answers = self.sign_ups(peer, "a", 20)
		for label, n in (("b", 20), ("c", 10), ("d", 1)):
			# An hour passes: the hourly budgets start again, the daily one does not.
			frappe.cache.delete_keys("portal_onboarding:rl:register:ip:")
			answers += self.sign_ups(peer, label, n)
		self.assertEqual(answers, [200] * 50 + [429])
		self.assertEqual(self.sign_ups(neighbour, "n", 1), [200])
		frappe.db.rollback()
		kept = frappe.db.count(REGISTRATION, {"email": ("like", f"{self.prefix}%")})
		self.assertEqual(kept, 51)  # 50 of one client, 1 of its neighbour: far from 1,000
