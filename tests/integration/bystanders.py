"""The people a test never meant to touch: the lived-in site's families, carer, Marley logins and
upgraded accounts (tests/bench/clinic.py, old_version.py). A mail or access test checks, at its end,
that none of them got mail, a link, a status change or lost a session."""

from typing import Any

import frappe

from portal_onboarding.constants import ACCOUNT, INVITATION, PASSWORD_RESET
from tests.site import lived_in, upgraded


def accounts() -> list[str]:
	"""Every account the site was filled with, by the code that makes such records in a clinic."""
	data, old = lived_in(), upgraded()
	patients = [login["patient"] for login in data["marley_logins"]]
	patients += [member["patient"] for member in data["family_inbox"]["members"]]
	patients += [row["patient"] for row in data["carer"]["patients"]]
	patients += [row["patient"] for row in data["closed"]]
	patients += [old["self"]["patient"], old["pending"]["patient"], *old["representative"]["patients"]]
	return frappe.get_all(ACCOUNT, filters={"patient": ("in", patients)}, pluck="name", order_by="name")


def snapshot(names: list[str]) -> dict[str, Any]:
	"""What a test could have done to these accounts: status, login, links, mail to their addresses."""
	rows = frappe.get_all(
		ACCOUNT, filters={"name": ("in", names)}, fields=["name", "status", "user", "contact_email"]
	)
	emails = sorted({row.contact_email for row in rows if row.contact_email})
	users = sorted({row.user for row in rows if row.user})
	return {
		"accounts": {row.name: (row.status, row.user) for row in rows},
		"invitations": frappe.db.count(INVITATION, {"account": ("in", names)}),
		"resets": frappe.db.count(PASSWORD_RESET, {"account": ("in", names)}),
		"mails": frappe.db.count("Email Queue Recipient", {"recipient": ("in", emails)}),
		"enabled logins": frappe.db.count("User", {"name": ("in", users), "enabled": 1}),
		"sessions": frappe.db.count("Sessions", {"user": ("in", users)}),
	}


class Untouched:
	"""Mixin for mail and access tests: fails a test that reached a bystander."""

	def bystander_accounts(self) -> list[str]:
		return accounts()

	def setUp(self) -> None:
		super().setUp()
		self._bystanders = self.bystander_accounts()
		self._before = snapshot(self._bystanders)

	def tearDown(self) -> None:
		after = snapshot(self._bystanders)
		super().tearDown()
		self.assertEqual(after, self._before, "a bystander of this test got mail, a link or an access change")
