"""The site's background queue, seen from the e2e tests."""

import subprocess
import sys

from tests.site import BENCH, site_name

# What an RQ worker does for one job, in a process of its own as a worker would.
WORKER_SCRIPT = """
import sys
import frappe
frappe.init(site=sys.argv[1], sites_path=".")
from rq.job import Job
from frappe.utils.background_jobs import get_redis_conn
job = Job.fetch(sys.argv[2], connection=get_redis_conn())
if sys.argv[3] == "run":
    job.perform()
job.delete()
"""


def _job(job_id: str, action: str) -> None:
	site = site_name()
	result = subprocess.run(
		[sys.executable, "-c", WORKER_SCRIPT, site, f"{site}::{job_id}", action],
		cwd=BENCH / "sites",
		capture_output=True,
		text=True,
		timeout=300,
	)
	assert result.returncode == 0, result.stdout + result.stderr


def run_queued_job(job_id: str) -> None:
	"""Take one job off the queue and perform it; fails when the job was never queued."""
	_job(job_id, "run")


def drop_queued_job(job_id: str) -> None:
	"""Take one job off the queue without running it."""
	_job(job_id, "drop")
