"""Median Patient insert with this app's hooks on (invite toggle ticked) against the same insert with
the app's hooks off, alternating in one run on a real site.

Run from the bench's sites folder with the bench's Python:
    ../env/bin/python ../apps/portal_onboarding/benchmarks/patient_insert.py --site SITE --rounds 40
The patients it makes, and the jobs it queues, are removed at the end.
"""

import argparse
import statistics
import time

import frappe

APP_PREFIX = "portal_onboarding."


def doc_hooks_without_app(hooks: dict) -> dict:
	return {
		doctype: {
			event: [m for m in methods if not m.startswith(APP_PREFIX)] for event, methods in events.items()
		}
		for doctype, events in hooks.items()
	}


def insert_patient(index: int, label: str) -> tuple[str, float]:
	started = time.perf_counter()
	patient = frappe.get_doc(
		{
			"doctype": "Patient",
			"first_name": f"Bench{label}{index}",
			"last_name": "Mark",
			"sex": frappe.db.get_value("Gender", {}, "name"),
			"dob": "1990-01-01",
			"email": f"bench.{label}.{index}.{frappe.generate_hash(length=6)}@example.com",
			"send_portal_invitation": 1,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	return patient.name, (time.perf_counter() - started) * 1000


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--rounds", type=int, default=40)
	parser.add_argument("--warmup", type=int, default=3)
	args = parser.parse_args()

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	with_app = frappe.get_doc_hooks()
	without_app = doc_hooks_without_app(with_app)
	timings: dict[str, list[float]] = {"on": [], "off": []}
	made: list[str] = []
	try:
		for index in range(args.warmup + args.rounds):
			# Alternate the order each round so neither side always runs on a warmer cache.
			order = ("on", "off") if index % 2 == 0 else ("off", "on")
			for label in order:
				frappe.local.doc_events_hooks = with_app if label == "on" else without_app
				name, ms = insert_patient(index, label)
				made.append(name)
				if index >= args.warmup:
					timings[label].append(ms)
	finally:
		frappe.local.doc_events_hooks = with_app
		cleanup(made)
		frappe.destroy()

	on, off = statistics.median(timings["on"]), statistics.median(timings["off"])
	print(f"rounds: {args.rounds} (after {args.warmup} warm-up rounds)")
	print(f"median Patient insert, app hooks on:  {on:.1f} ms")
	print(f"median Patient insert, app hooks off: {off:.1f} ms")
	print(f"ratio on/off: {on / off:.3f} (target <= 1.05)")


def cleanup(patients: list[str]) -> None:
	from frappe.utils.background_jobs import get_queue

	queue = get_queue("default")
	removed = 0
	for job in queue.get_jobs():
		if any(job.id.endswith(f"portal_onboarding:onboard:{name}") for name in patients):
			job.delete()
			removed += 1
	print(f"onboarding jobs the 'on' inserts queued after commit (removed unrun): {removed}")
	for name in patients:
		# The Customer first: its removal unlinks the Contact that still points at the Patient.
		customer = frappe.db.get_value("Patient", name, "customer")
		if customer:
			frappe.delete_doc("Customer", customer, force=True, ignore_permissions=True)
		frappe.delete_doc("Patient", name, force=True, ignore_permissions=True)
	frappe.db.commit()


if __name__ == "__main__":
	main()
