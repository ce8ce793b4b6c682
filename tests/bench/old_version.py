"""Data made through an earlier version of the app, the way a clinic made it then.

Run by tests/bench/upgrade with PYTHONPATH pointing at that version's tree (first commit where
invitations worked), so `portal_onboarding` here is the old code: only its API may be used.
Usage: python tests/bench/old_version.py BENCH SITE FIXTURES_JSON
"""

import json
import os
import re
import sys

PASSWORD = "Old-version-Passw0rd!"


def patient(first: str, last: str, email: str, zip_code: str, mobile: str) -> str:
	"""A Patient with an address, through the fields Marley's quick entry sends."""
	import frappe

	doc = frappe.get_doc(
		{
			"doctype": "Patient",
			"first_name": first,
			"last_name": last,
			"sex": "Female",
			"dob": "1980-02-03",
			"email": email,
			"mobile": mobile,
			"address_line1": "1 Upgrade Street",
			"city": "Springfield",
			"pincode": zip_code,
			"country": frappe.db.get_default("country") or "United States",
		}
	)
	return doc.insert(ignore_permissions=True).name


def sent_key(invitation: str) -> str:
	import frappe

	message = frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Patient Portal Invitation", "reference_name": invitation},
		pluck="message",
		order_by="creation desc",
	)[0]
	import quopri

	text = quopri.decodestring(message.encode()).decode(errors="replace")
	return re.search(r"/portal/activate\?key=([A-Za-z0-9_\-]+)", text).group(1)


def invite_and_send(patient_name: str, representative: dict | None = None) -> tuple[str, str, str]:
	from portal_onboarding import delivery
	from portal_onboarding.api import account as account_api
	from portal_onboarding.api import invitation as invitation_api

	if not representative:
		account_api.enable(patient_name)
	result = invitation_api.invite(patient_name, representative=representative)
	delivery.deliver(result["invitation"])
	return result["account"], result["invitation"], sent_key(result["invitation"])


def activate(key: str, username: str) -> str:
	from portal_onboarding import activation

	invitation = activation.find_invitation(key, for_update=True)
	assert activation.verify_identity(invitation, "1980-02-03", invitation_zip(invitation)).ok
	outcome = activation.activate(invitation, username, PASSWORD)
	assert outcome.ok, outcome
	return outcome.data["user"]


def invitation_zip(invitation) -> str:
	import frappe

	from portal_onboarding.onboarding import home_zip

	return home_zip(frappe.db.get_value("Patient Portal Account", invitation.account, "patient"))


def main(bench: str, site: str, out: str) -> None:
	import frappe

	os.chdir(os.path.join(bench, "sites"))
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	frappe.flags.mute_emails = True  # queued, never sent: there is no SMTP server here
	frappe.enqueue = lambda *args, **kwargs: None  # the script sends what it needs itself
	try:
		if not frappe.db.get_value("Email Account", {"default_outgoing": 1}):
			account = frappe.get_doc(
				{
					"doctype": "Email Account",
					"email_account_name": "Clinic Outgoing",
					"email_id": "clinic@example.com",
					"enable_outgoing": 1,
					"default_outgoing": 1,
					"smtp_server": "127.0.0.1",
					"smtp_port": 1025,
					"no_smtp_authentication": 1,
				}
			)
			account.flags.ignore_validate = True
			account.insert(ignore_permissions=True)
		data: dict = {"password": PASSWORD}
		# An activated Self account.
		self_patient = patient("Olga", "Oldversion", "olga.oldversion@example.com", "30301", "+15550100301")
		account, _inv, key = invite_and_send(self_patient)
		data["self"] = {"patient": self_patient, "account": account, "user": activate(key, "olga.old")}
		data["self"]["username"] = "olga.old"
		# An invitation still pending: its link (the old ?key= form) must still work after the upgrade.
		pending_patient = patient("Penny", "Pending", "penny.pending@example.com", "30302", "+15550100302")
		account, invitation, key = invite_and_send(pending_patient)
		data["pending"] = {
			"patient": pending_patient,
			"account": account,
			"invitation": invitation,
			"key": key,
		}
		# A parent invited for two children, who activated once (that version joined both to one login).
		parent = {
			"first_name": "Rita",
			"last_name": "Parent",
			"email": "rita.parent@example.com",
			"mobile": "",
			"relation": "Parent",
		}
		children = [
			patient(name, "Child", "kids.family@example.com", "30303", mobile)
			for name, mobile in (("Ana", "+15550100303"), ("Ben", "+15550100304"))
		]
		accounts = []
		keys = []
		for child in children:
			account, _inv, key = invite_and_send(child, representative=parent)
			accounts.append(account)
			keys.append(key)
		data["representative"] = {
			"patients": children,
			"accounts": accounts,
			"user": activate(keys[0], "rita.parent"),
			"username": "rita.parent",
		}
		frappe.db.commit()
		counts = {
			name: {
				"status": frappe.db.get_value("Patient Portal Account", name, "status"),
				"events": frappe.db.count("Patient Portal Event", {"account": name}),
			}
			for name in [data["self"]["account"], data["pending"]["account"], *accounts]
		}
		data["accounts"] = counts
		with open(out, "w") as f:
			json.dump(data, f, indent=1)
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main(*sys.argv[1:4])
