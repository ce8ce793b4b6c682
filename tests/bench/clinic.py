"""Fills the test site the way a clinic's site is filled, with the code that makes such records there.

- `marley`, before this app is installed: patients through the fields Marley's quick entry sends,
  several with Marley's own *Invite as User* (`Patient.create_website_user()`), so Frappe gives their
  logins the username `scrub(first_name)`; one login whose patient's email staff later changed.
- `families`, once the app is in: a family of seven sharing one inbox, each with an Active Self account,
  a carer who is the Active representative of three patients on one login, and accounts an admin
  suspended or marked for deletion.

What was made is written to the site's folder (`portal_onboarding_fixtures.json`), for the tests.
Usage: python -m tests.bench.clinic PHASE BENCH SITE
"""

import json
import os
import sys
from pathlib import Path

FIXTURES = "portal_onboarding_fixtures.json"
# First names repeat as they do in a clinic: Frappe gives only the first login a username of its own.
MARLEY_FIRST_NAMES = ("Rosa", "Rosa", "Maria", "Rosa", "Ahmed", "Li", "Maria", "Grace", "Tomás", "Ngozi")
FAMILY_INBOX = "garcia.family@example.com"
FAMILY_SIZE = 7
CARER_EMAIL = "carer.of.three@example.com"
CARER_PATIENTS = 3


def fixtures_path(site: str) -> Path:
	return Path(site) / FIXTURES


def record(site: str, key: str, value: object) -> None:
	path = fixtures_path(site)
	data = json.loads(path.read_text()) if path.exists() else {}
	data[key] = value
	path.write_text(json.dumps(data, indent=1, default=str))


def quick_entry_patient(first_name: str, n: int, **kw: object) -> str:
	"""A Patient saved with what Marley's quick entry dialog sends (address fields included)."""
	import frappe

	values = {
		"doctype": "Patient",
		"first_name": first_name,
		"last_name": f"Clinic{n:03d}",
		"sex": "Female" if n % 2 else "Male",
		"dob": f"19{50 + n % 50:02d}-0{1 + n % 9}-1{n % 10}",
		"mobile": f"+1555020{n:04d}",
		"address_line1": f"{n} Main Street",
		"city": "Springfield",
		"pincode": f"{62700 + n}",
		"country": frappe.db.get_default("country") or "United States",
		**kw,
	}
	return frappe.get_doc(values).insert().name


def marley(site: str) -> None:
	"""Patients and Marley-made logins, before the app exists on the site."""
	import frappe

	from tests.integration.factories import ensure_outgoing_email_account

	ensure_outgoing_email_account()
	logins = []
	for n, first_name in enumerate(MARLEY_FIRST_NAMES, start=1):
		email = f"{first_name.lower()}.clinic{n:03d}@example.com".replace("á", "a")
		# Half through quick entry's Invite as User, the rest the same method called afterwards.
		name = quick_entry_patient(first_name, n, email=email, invite_user=n % 2)
		doc = frappe.get_doc("Patient", name)
		if not doc.user_id:
			doc.create_website_user()
		user = frappe.db.get_value("Patient", name, "user_id")
		logins.append(
			{"patient": name, "user": user, "username": frappe.db.get_value("User", user, "username")}
		)
	# Staff later changed one patient's email: Marley's login no longer matches it and gets no grant.
	changed = logins.pop()
	frappe.db.set_value("Patient", changed["patient"], "email", "changed.by.staff@example.com")
	# Patients without a login, as most are.
	for n in range(len(MARLEY_FIRST_NAMES) + 1, len(MARLEY_FIRST_NAMES) + 21):
		quick_entry_patient("Walkin", n, email=f"walkin{n:03d}@example.com" if n % 3 else None)
	frappe.db.commit()
	record(site, "marley_logins", logins)
	record(site, "marley_login_not_granted", changed)


def families(site: str) -> None:
	"""Active accounts sharing an inbox, and a carer of three patients, through the app's own actions."""
	import frappe

	from portal_onboarding.accounts import management
	from tests.integration.factories import accept_link, ensure_outgoing_email_account, make_eligible_patient
	from tests.integration.test_invitation_flow import invite_and_send

	ensure_outgoing_email_account()
	frappe.db.set_single_value("Portal Onboarding Settings", "send_sms_notice", 0)
	family = []
	for n in range(FAMILY_SIZE):
		patient = make_eligible_patient(first_name=f"Garcia{n}", last_name="Family", email=FAMILY_INBOX)
		account, _invitation, key = invite_and_send(patient.name)
		assert accept_link(key, username=f"garcia.{n}", password="Family-Passw0rd!")["ok"]
		family.append({"patient": patient.name, "account": account, "username": f"garcia.{n}"})
	carer = {"first_name": "Cara", "last_name": "Carer", "email": CARER_EMAIL, "relation": "Carer"}
	cared_for = []
	for n in range(CARER_PATIENTS):
		patient = make_eligible_patient(first_name=f"Cared{n}", last_name="Person")
		account, _invitation, key = invite_and_send(patient.name, representative=carer)
		outcome = accept_link(
			key, username="cara.carer", password="Carer-Passw0rd!", existing_login=int(n > 0)
		)
		assert outcome["ok"], outcome
		cared_for.append({"patient": patient.name, "account": account})
	# Accounts an admin closed: one suspended, two waiting for their personal details to be deleted.
	closed = []
	for n, action in enumerate(("suspend", "mark_pending_delete", "mark_pending_delete")):
		patient = make_eligible_patient(first_name=f"Closed{n}", last_name="Account")
		account, _invitation, key = invite_and_send(patient.name)
		assert accept_link(key, username=f"closed.{n}", password="Closed-Passw0rd!")["ok"]
		if action == "suspend":
			management.suspend(account, "Asked to pause portal access")
		else:
			management.mark_pending_delete(account)
		closed.append({"patient": patient.name, "account": account, "action": action})
	frappe.db.commit()
	frappe.cache.delete_keys("portal_onboarding:rl:")
	record(site, "closed", closed)
	record(site, "family_inbox", {"email": FAMILY_INBOX, "members": family})
	record(site, "carer", {"username": "cara.carer", "patients": cared_for})


def main(phase: str, bench: str, site: str) -> None:
	import frappe

	os.chdir(os.path.join(bench, "sites"))
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	# Mail goes to Email Queue as on a clinic's site; nothing tries an SMTP server (Frappe's welcome
	# mail would be sent at once).
	frappe.flags.mute_emails = True
	try:
		{"marley": marley, "families": families}[phase](site)
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main(*sys.argv[1:4])
