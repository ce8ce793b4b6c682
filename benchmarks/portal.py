"""The portal's pages for a representative of five patients against Frappe's own /me, as ratios in one run.

A representative's login is granted five patients, each with lab tests (with results) and
appointments. Alternating round by round, whole requests through Frappe's WSGI app (session, hooks,
rendering) time:
  * `/portal` (the home with the patient switcher),
  * `/portal/lab-results` (a section page),
  * `/me` (Frappe's own page for a signed-in website user),
and print the medians and the ratios against `/me` (target: at most 2x).

Run from the bench's sites folder with the bench's Python, on a site of its own (never a clinic's):
    ../env/bin/python ../apps/portal_onboarding/benchmarks/portal.py --site SITE
Everything it makes is removed at the end.
"""

import argparse
import secrets
import statistics
import threading
import time

import frappe
from frappe.utils import add_days, today

PATIENTS = 5
TARGET = 2.0
PAGES = ("/portal", "/portal/lab-results", "/me")


def insert_record(doc: dict, children: list[tuple[str, str, dict]] = ()) -> str:
	record = frappe.get_doc(doc)
	record.name = f"PO-BENCH-{secrets.token_hex(6)}"
	record.db_insert()
	for idx, (fieldname, child_doctype, row) in enumerate(children, start=1):
		child = frappe.get_doc({"doctype": child_doctype, **row})
		child.update(
			{"parent": record.name, "parenttype": doc["doctype"], "parentfield": fieldname, "idx": idx}
		)
		child.name = f"PO-BENCH-{secrets.token_hex(6)}"
		child.db_insert()
	return record.name


def make_family() -> tuple[str, str, list[str]]:
	"""A representative's login granted five patients with records; returns (user, password, patients)."""
	from frappe.utils.password import update_password

	from portal_onboarding.invitations import portal_access, sending
	from portal_onboarding.invitations.activation import grant
	from portal_onboarding.primitives.logins import save_login
	from portal_onboarding.security.actions import acting

	email = f"bench.rep.{secrets.token_hex(4)}@example.com"
	patients, user = [], None
	for n in range(PATIENTS):
		patient = frappe.get_doc(
			{
				"doctype": "Patient",
				"first_name": f"Bench{n}",
				"last_name": "Child",
				"sex": frappe.db.get_value("Gender", {}),
				"dob": "2015-01-01",
				"email": email,
			}
		).insert(ignore_permissions=True)
		patients.append(patient.name)
		with acting():
			account, invitation = sending.invite(
				patient.name,
				representative={
					"first_name": "Bench",
					"last_name": "Rep",
					"email": email,
					"relation": "Parent",
				},
				enqueue=False,
			)
			if user is None:
				user = save_login(None, account, f"bench.rep.{secrets.token_hex(4)}")
			grant(account, invitation, user, "benchmark")
			portal_access.set_permitted_sections(
				account.name, ["Appointments", "Lab Results", "Prescriptions"]
			)
		for _ in range(3):
			insert_record(
				{
					"doctype": "Lab Test",
					"patient": patient.name,
					"docstatus": 1,
					"lab_test_name": "Panel",
					"result_date": today(),
				},
				[
					(
						"normal_test_items",
						"Normal Test Result",
						{"lab_test_name": f"Item {i}", "result_value": str(i), "normal_range": "1 - 3"},
					)
					for i in range(5)
				],
			)
			insert_record(
				{
					"doctype": "Patient Appointment",
					"patient": patient.name,
					"appointment_date": add_days(today(), 3),
					"practitioner_name": "Dr Bench",
				}
			)
	password = f"Bench-{secrets.token_hex(8)}-9!"
	update_password(user, password)
	frappe.db.commit()
	return user, password, patients


def measure(site: str, user: str, password: str, rounds: int) -> dict[str, float]:
	from werkzeug.test import Client

	from frappe.app import application

	samples: dict[str, list[float]] = {page: [] for page in PAGES}
	errors: list[BaseException] = []

	def work() -> None:
		try:
			client = Client(application)
			headers = {"Host": site}
			client.post("/api/method/login", data={"usr": user, "pwd": password}, headers=headers)
			for page in PAGES:  # warm caches and check every page answers
				assert client.get(page, headers=headers).status_code == 200, page
			for _ in range(rounds):
				for page in PAGES:
					started = time.perf_counter()
					response = client.get(page, headers=headers)
					samples[page].append(time.perf_counter() - started)
					assert response.status_code == 200, page
		except BaseException as e:
			errors.append(e)

	thread = threading.Thread(target=work)
	thread.start()
	thread.join()
	if errors:
		raise errors[0]
	return {page: statistics.median(values) * 1000 for page, values in samples.items()}


def clean_up(user: str | None, patients: list[str]) -> None:
	from portal_onboarding.constants import ACCOUNT, EVENT, INVITATION

	frappe.db.rollback()
	for doctype in ("Lab Test", "Patient Appointment"):
		frappe.db.delete(doctype, {"patient": ("in", patients or [""])})
	frappe.db.delete("Normal Test Result", {"parent": ("like", "PO-BENCH-%")})
	for patient in patients:
		for account in frappe.get_all(ACCOUNT, filters={"patient": patient}, pluck="name"):
			frappe.db.delete(INVITATION, {"account": account})
			frappe.db.delete("Patient Portal Section", {"parent": account})
			frappe.db.delete(ACCOUNT, {"name": account})
		frappe.db.delete(EVENT, {"patient": patient})
		frappe.delete_doc("Patient", patient, force=True, ignore_permissions=True)
	if user and frappe.db.exists("User", user):
		frappe.delete_doc("User", user, force=True, ignore_permissions=True)
	frappe.db.commit()


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--rounds", type=int, default=100)
	args = parser.parse_args()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	user, patients = None, []
	# The home ZIP code and identity rules are for inviting real people; these patients have no address.
	settings = frappe.get_single("Portal Onboarding Settings")
	saved = (settings.require_home_zip, settings.require_identity_check)
	settings.require_home_zip = settings.require_identity_check = 0
	settings.save()
	frappe.db.commit()
	try:
		user, password, patients = make_family()
		medians = measure(args.site, user, password, args.rounds)
	finally:
		clean_up(user, patients)
		settings.reload()
		settings.require_home_zip, settings.require_identity_check = saved
		settings.save()
		frappe.db.commit()
		frappe.destroy()
	base = medians["/me"]
	print(f"representative of {PATIENTS} patients, {args.rounds} rounds, median per request")
	for page in PAGES:
		ratio = medians[page] / base
		verdict = (
			""
			if page == "/me"
			else (" (target <= 2x: met)" if ratio <= TARGET else " (target <= 2x: NOT met)")
		)
		print(f"  {page:22} {medians[page]:8.2f} ms  {ratio:5.2f}x /me{verdict}")


if __name__ == "__main__":
	main()
