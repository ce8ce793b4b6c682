"""The onboarding report and bulk invitations at 1k, 10k and 100k patients, as ratios measured in one run.

For each size, the demo data command seeds patients up to that many demo patients, then, alternating
in one loop, it times:
  * the report's first page (the rows query and the rows built from it),
  * the report's status counts (the one grouped query, cached until a status changes), and the same
    query with its cache dropped first,
  * the whole report as Desk runs it (rows, counts and funnel),
each against a bare `frappe.get_list("Patient", limit=100)` on the same site; and the whole report
searched as a person searches it (a surname, a first name, part of a name, part of an email, a mobile
typed with dashes), each against 50 ms.

Then bulk throughput: a batch of `--bulk` eligible patients invited by `--workers` long-queue RQ
workers started here (invitations created and mails queued per second, from the request to the
batch's completion), against Marley's own per-patient path, `Patient.create_website_user`, timed on
`--marley` patients in this process.

Run from the bench's sites folder with the bench's Python, on a site of its own (never a clinic's):
    ../env/bin/python ../apps/portal_onboarding/benchmarks/onboarding_report.py --site SITE
Everything it makes is removed at the end: demo patients, batches, mails and the logins Marley made.
"""

import argparse
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import frappe

SIZES = (1_000, 10_000, 100_000)
STALLED_SECONDS = 300
TARGETS = {"first page": 3.0, "status counts": 2.0}
SEARCH_TARGET_MS = 50.0
# What a person types into the report's search, as the demo data has them.
SEARCHES = {
	"surname": "Garcia",
	"first name": "maria",
	"part of a name": "ana gar",
	"part of an email": "garcia.1",
	"mobile, dashes": "415-555-0142",
}


def median_ms(samples: list[float]) -> float:
	return statistics.median(samples) * 1000


def timed(work: Callable[[], object]) -> float:
	started = time.perf_counter()
	work()
	return time.perf_counter() - started


def demo_count() -> int:
	return frappe.db.count("Patient", {"name": ("like", "PO-DEMO-%")})


def measure_report(rounds: int) -> dict[str, float]:
	"""Median milliseconds of each path, the paths alternating round by round."""
	from frappe.desk.query_report import run as run_report

	from portal_onboarding.core.onboarding_report import ReportFilters
	from portal_onboarding.primitives.status import COUNTS_CACHE_KEY
	from portal_onboarding.reporting import queries
	from portal_onboarding.reporting.report import build_row
	from portal_onboarding.settings import eligibility_rules

	rules = eligibility_rules()
	filters = ReportFilters()

	def first_page() -> None:
		where, memo = queries.patient_where(filters, rules), {}
		[build_row(row, rules, memo) for row in queries.page_rows(where, filters)]

	def counts() -> None:
		queries.status_counts(queries.patient_where(filters, rules, with_status=False))

	def counts_cold() -> None:
		frappe.cache.delete_value(COUNTS_CACHE_KEY)
		counts()

	paths: dict[str, Callable[[], object]] = {
		"bare get_list": lambda: frappe.get_list("Patient", limit=100),
		"first page": first_page,
		"status counts": counts,
		"counts, uncached": counts_cold,
		"whole report": lambda: run_report("Patient Portal Onboarding", filters={}),
	}
	for label, term in SEARCHES.items():
		paths[f"search: {label}"] = lambda term=term: run_report(
			"Patient Portal Onboarding", filters={"search": term}
		)
	samples: dict[str, list[float]] = {name: [] for name in paths}
	for path in paths.values():  # warm caches once
		path()
	for index in range(rounds):
		order = list(paths.items())
		if index % 2:
			order.reverse()
		for name, path in order:
			samples[name].append(timed(path))
			frappe.db.rollback()
	return {name: median_ms(values) for name, values in samples.items()}


def start_workers(count: int) -> list[subprocess.Popen]:
	bench_python = Path(sys.executable)
	return [
		subprocess.Popen(
			[str(bench_python), "-m", "frappe.utils.bench_helper", "frappe", "worker", "--queue", "long"],
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
		)
		for _i in range(count)
	]


def ensure_outgoing_account() -> str | None:
	"""Mail is only queued here, never sent; Frappe still wants an outgoing account to queue it."""
	if frappe.db.exists("Email Account", {"default_outgoing": 1, "enable_outgoing": 1}):
		return None
	account = frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": "Onboarding Benchmark",
			"email_id": "benchmark@example.com",
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"smtp_port": 1025,
			"no_smtp_authentication": 1,
		}
	)
	account.flags.ignore_validate = True
	account.insert(ignore_permissions=True)
	frappe.db.commit()
	return account.name


def measure_bulk(size: int, workers: int) -> dict[str, float]:
	"""Invitations sent per second by a batch of `size` patients on `workers` long-queue workers."""
	from portal_onboarding.bulk import batch as bulk_batch
	from portal_onboarding.constants import BatchStatus
	from portal_onboarding.core.bulk import Selection
	from portal_onboarding.reporting import queries
	from portal_onboarding.settings import eligibility_rules

	patients = [p for p in queries.eligible_not_yet_invited(eligibility_rules()) if p.startswith("PO-DEMO-")]
	patients = patients[:size]
	mails_before = frappe.db.count("Email Queue")
	processes = start_workers(workers)
	try:
		time.sleep(5)  # workers up before the clock starts
		started = time.perf_counter()
		batch = bulk_batch.start(Selection(patients=tuple(patients)))
		frappe.db.commit()
		while True:
			time.sleep(1)
			frappe.db.rollback()
			status, moved = frappe.db.get_value(
				"Patient Portal Invitation Batch", batch, ["status", "last_progress_on"]
			)
			if status not in BatchStatus.OPEN:
				break
			if moved and (frappe.utils.now_datetime() - moved).total_seconds() > STALLED_SECONDS:
				raise RuntimeError(f"batch {batch} stopped moving: are the workers running?")
		seconds = time.perf_counter() - started
	finally:
		for process in processes:
			process.terminate()
		for process in processes:
			process.wait(timeout=60)
	done = frappe.db.get_value(
		"Patient Portal Invitation Batch", batch, ["sent", "skipped", "failed"], as_dict=True
	)
	mails = frappe.db.count("Email Queue") - mails_before
	return {
		"batch": batch,
		"patients": len(patients),
		"sent": done.sent,
		"skipped": done.skipped,
		"failed": done.failed,
		"mails": mails,
		"seconds": seconds,
		"per_second": done.sent / seconds,
	}


def measure_marley(count: int) -> dict[str, float]:
	"""Marley's own path: one Patient at a time, `create_website_user` and its commit."""
	patients = frappe.get_all(
		"Patient",
		filters={"name": ("like", "PO-DEMO-%"), "email": ("is", "set"), "user_id": ("is", "not set")},
		fields=["name", "email"],
		order_by="name desc",
		limit=count * 3,
	)
	seen: set[str] = set()
	chosen = []
	for row in patients:
		if row.email not in seen and not frappe.db.exists("User", row.email):
			seen.add(row.email)
			chosen.append(row.name)
		if len(chosen) == count:
			break
	frappe.flags.mute_emails = True  # Marley's welcome mail is sent at once; here it stays queued
	started = time.perf_counter()
	for name in chosen:
		frappe.get_doc("Patient", name).create_website_user()
		frappe.db.commit()
	seconds = time.perf_counter() - started
	frappe.flags.mute_emails = False
	return {
		"patients": len(chosen),
		"seconds": seconds,
		"per_second": len(chosen) / seconds,
		"users": sorted(seen),
	}


def clean_up(batch: str | None, users: list[str], email_account: str | None) -> None:
	"""Remove what the run made: its batch, the mails it queued, Marley's logins, the demo patients."""
	from portal_onboarding import demo_data

	frappe.db.rollback()
	invitations = frappe.get_all(
		"Patient Portal Invitation", filters={"patient": ("like", "PO-DEMO-%")}, pluck="name"
	)
	for start in range(0, len(invitations), 1000):
		chunk = invitations[start : start + 1000]
		queued = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Patient Portal Invitation", "reference_name": ("in", chunk)},
			pluck="name",
		)
		if queued:
			frappe.db.delete("Email Queue Recipient", {"parent": ("in", queued)})
			frappe.db.delete("Email Queue", {"name": ("in", queued)})
	for user in users:
		queued = frappe.get_all("Email Queue Recipient", filters={"recipient": user}, pluck="parent")
		if queued:
			frappe.db.delete("Email Queue Recipient", {"parent": ("in", queued)})
			frappe.db.delete("Email Queue", {"name": ("in", queued)})
		frappe.db.set_value("Patient", {"user_id": user}, "user_id", None)
		if frappe.db.exists("User", user):
			frappe.delete_doc("User", user, force=True, ignore_permissions=True)
		for contact in frappe.get_all("Contact", filters={"email_id": user}, pluck="name"):
			frappe.delete_doc("Contact", contact, force=True, ignore_permissions=True)
	if batch:
		frappe.db.delete("Patient Portal Invitation Batch Item", {"batch": batch})
		frappe.db.delete("Patient Portal Invitation Batch", {"name": batch})
	frappe.db.commit()
	demo_data.remove(progress=print)
	if email_account:
		frappe.delete_doc("Email Account", email_account, force=True, ignore_permissions=True)
	frappe.db.commit()


def stop(signum: int, frame: object) -> None:
	raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--rounds", type=int, default=30)
	parser.add_argument("--bulk", type=int, default=10_000)
	parser.add_argument("--workers", type=int, default=4)
	parser.add_argument("--marley", type=int, default=30)
	parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
	args = parser.parse_args()

	# Ctrl-C or a kill still removes what the run made (the `finally` below).
	for sig in (signal.SIGINT, signal.SIGTERM):
		signal.signal(sig, stop)
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	from portal_onboarding import demo_data

	if demo_count():
		sys.exit("The site already has demo patients: remove them first (portal-onboarding-demo --remove).")
	email_account = ensure_outgoing_account()
	batch = None
	users: list[str] = []
	print(
		f"Site {args.site}, {args.rounds} rounds per size, MariaDB {frappe.db.sql('select version()')[0][0]}"
	)
	try:
		for size in (int(s) for s in args.sizes.split(",")):
			demo_data.seed(size - demo_count())
			figures = measure_report(args.rounds)
			bare = figures["bare get_list"]
			print(
				f"\n{size:,} demo patients ({frappe.db.count('Patient'):,} on the site), median of {args.rounds}:"
			)
			for name, ms in figures.items():
				ratio = ms / bare
				target = TARGETS.get(name)
				verdict = f"  target <= {target}x: {'met' if ratio <= target else 'MISSED'}" if target else ""
				if name.startswith("search"):
					met = ms <= SEARCH_TARGET_MS
					verdict = f"  target <= {SEARCH_TARGET_MS:.0f} ms: {'met' if met else 'MISSED'}"
				print(f"  {name:26} {ms:8.2f} ms  {ratio:5.2f}x bare get_list{verdict}")
		if args.bulk:
			bulk = measure_bulk(args.bulk, args.workers)
			batch = bulk["batch"]
			marley = measure_marley(args.marley)
			users = marley["users"]
			ratio = bulk["per_second"] / marley["per_second"]
			print(
				f"\nBulk: {bulk['sent']:,} invitations sent ({bulk['skipped']} skipped, {bulk['failed']} failed), "
				f"{bulk['mails']:,} mails queued, in {bulk['seconds']:.1f} s with {args.workers} long workers: "
				f"{bulk['per_second']:.1f} per second"
			)
			print(
				f"Marley create_website_user: {marley['patients']} patients in {marley['seconds']:.1f} s: "
				f"{marley['per_second']:.2f} per second"
			)
			print(
				f"Bulk is {ratio:.1f}x Marley's per-patient path  target >= 10x: {'met' if ratio >= 10 else 'MISSED'}"
			)
	finally:
		clean_up(batch, users, email_account)
		frappe.destroy()


if __name__ == "__main__":
	main()
