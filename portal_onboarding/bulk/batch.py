"""Bulk invitations: a batch document holds the state, so a dead worker's batch resumes where it stopped.

Each patient is handled in a transaction of its own, under its row lock (the one lock order: patient
first) and re-checked there, so two batches, or a batch and its own resumed run, never invite anyone
twice. Parallel jobs of a batch claim different chunks; a patient's failure is recorded on its item and
the batch goes on.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime

from portal_onboarding.bulk.items import DEADLOCK_RETRIES, process_item
from portal_onboarding.constants import BATCH, BATCH_ITEM, PATIENT, BatchMode, BatchOutcome, BatchStatus
from portal_onboarding.core.bulk import CHUNK_SIZE, Selection, progress_percent, tally
from portal_onboarding.reporting import queries
from portal_onboarding.security.actions import acting, app_action
from portal_onboarding.settings import eligibility_rules

# A running batch that has not recorded progress for this long lost its worker.
STALL_AFTER = timedelta(minutes=10)
# Jobs queued per batch: Frappe's own scale-out is more long-queue workers; with one, they run in turn.
PARALLEL_JOBS = 4
JOB_TIMEOUT = 6 * 60 * 60
DONE_EVENT = "portal_onboarding_batch_done"


def start(selection: Selection) -> str:
	"""Create the batch (and, for ticked patients, its items) and queue it; returns the batch's name."""
	mode = BatchMode.ALL_ELIGIBLE if selection.all_eligible else BatchMode.SELECTED
	with acting():
		batch = frappe.get_doc(
			{
				"doctype": BATCH,
				"mode": mode,
				"status": BatchStatus.QUEUED,
				"requested_by": frappe.session.user,
				"total": len(selection.patients),
			}
		).insert(ignore_permissions=True)
	if selection.patients:
		add_items(batch.name, list(selection.patients), frappe.session.user)
	enqueue(batch.name, 1)
	return batch.name


def enqueue(batch: str, run: int) -> None:
	"""Queue the batch's jobs; each takes chunks no other holds, so more long workers mean more speed."""
	for worker in range(1, PARALLEL_JOBS + 1):
		frappe.enqueue(
			"portal_onboarding.jobs.run_invitation_batch",
			queue="long",
			timeout=JOB_TIMEOUT,
			batch=batch,
			job_id=f"portal_onboarding:batch:{batch}:{run}:{worker}",
			deduplicate=True,
			enqueue_after_commit=True,
		)


def add_items(batch: str, patients: list[str], user: str) -> None:
	"""One Pending item per patient; names the user cannot see or that are gone are skipped at once."""
	known: dict[str, str] = {}
	for start_at in range(0, len(patients), 1000):
		chunk = patients[start_at : start_at + 1000]
		for row in frappe.get_list(
			PATIENT,
			filters={"name": ("in", chunk)},
			fields=["name", "patient_name"],
			user=user,
			limit_page_length=0,
		):
			known[row.name] = row.patient_name
	now = now_datetime()
	missing = _("This patient does not exist, or you may not invite them.")
	values = [
		(
			f"{batch}-{index:06d}",
			now,
			now,
			user,
			user,
			0,
			index,
			batch,
			patient,
			known.get(patient),
			BatchOutcome.PENDING if patient in known else BatchOutcome.SKIPPED,
			None if patient in known else missing,
		)
		for index, patient in enumerate(patients, start=1)
	]
	frappe.db.bulk_insert(
		BATCH_ITEM,
		(
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"docstatus",
			"idx",
			"batch",
			"patient",
			"patient_name",
			"outcome",
			"reason",
		),
		values,
		ignore_duplicates=True,
	)


@app_action
def run(batch_name: str) -> None:
	"""Work through the batch's pending patients, chunk by chunk, reporting progress as it goes."""
	batch = claim(batch_name)
	if batch is None:
		return
	job = frappe.generate_hash(length=12)
	try:
		with read_committed():
			while process_chunk(batch, job):
				pass
	except Exception:
		frappe.db.rollback()
		frappe.log_error(
			title=_("Portal invitation batch stopped"), reference_doctype=BATCH, reference_name=batch.name
		)
		frappe.db.set_value(
			BATCH,
			batch.name,
			{
				"status": BatchStatus.FAILED,
				"error": frappe.get_traceback()[-2000:],
				"finished_on": now_datetime(),
			},
			update_modified=False,
		)
		frappe.db.commit()
		publish_done(batch.name, batch.requested_by)
		raise
	finish(batch)


def claim(batch_name: str) -> Any | None:
	"""Mark the batch Running as its requester (planning an all-eligible batch first); None when done."""
	batch = frappe.get_doc(BATCH, batch_name, for_update=True)
	if batch.status not in BatchStatus.OPEN:
		return None
	if batch.requested_by and frappe.session.user != batch.requested_by:
		# A resumed batch runs for the admin who started it: audit events and progress are theirs.
		frappe.set_user(batch.requested_by)
	if batch.status == BatchStatus.QUEUED and batch.mode == BatchMode.ALL_ELIGIBLE:
		add_items(
			batch.name,
			queries.eligible_not_yet_invited(eligibility_rules(), user=batch.requested_by),
			batch.requested_by,
		)
	now = now_datetime()
	frappe.db.set_value(
		BATCH,
		batch.name,
		{
			"status": BatchStatus.RUNNING,
			"started_on": batch.started_on or now,
			"last_progress_on": now,
			"runs": (batch.runs or 0) + 1,
		},
		update_modified=False,
	)
	update_counts(batch.name)
	frappe.db.commit()
	batch.reload()
	return batch


def process_chunk(batch: Any, job: str) -> bool:
	"""Claim the next chunk of pending patients for this job and invite them; False when none is left."""
	items = claim_chunk(batch.name, job)
	if not items:
		return False
	for item in items:
		process_item(item)
	counts = update_counts(batch.name)
	frappe.db.set_value(BATCH, batch.name, "last_progress_on", now_datetime(), update_modified=False)
	frappe.db.commit()
	publish_progress(counts)
	return True


def claim_chunk(batch: str, job: str) -> list[frappe._dict]:
	"""Mark the next pending patients as this job's, committed at once, so parallel jobs take different ones.

	The claim only spreads the work: the patient's row lock and the item's re-check decide who invites.
	Rows are claimed by primary key, the order every other writer of items locks them in.
	"""
	for _attempt in range(DEADLOCK_RETRIES * 3):
		candidates = frappe.db.sql_list(
			f"""select name from `tab{BATCH_ITEM}`
			where batch = %s and outcome = %s and claimed_by is null order by patient limit %s""",
			(batch, BatchOutcome.PENDING, CHUNK_SIZE),
		)
		if not candidates:
			break
		try:
			frappe.db.sql(
				f"""update `tab{BATCH_ITEM}` set claimed_by = %s
				where name in %s and outcome = %s and claimed_by is null""",
				(job, tuple(sorted(candidates)), BatchOutcome.PENDING),
			)
			frappe.db.commit()
		except Exception as e:
			frappe.db.rollback()
			if not frappe.db.is_deadlocked(e):
				raise
			continue
		claimed = frappe.db.sql(
			f"""select name, patient from `tab{BATCH_ITEM}`
			where batch = %s and outcome = %s and claimed_by = %s order by patient""",
			(batch, BatchOutcome.PENDING, job),
			as_dict=True,
		)
		if claimed:
			return claimed
	return frappe.db.sql(
		f"""select name, patient from `tab{BATCH_ITEM}`
		where batch = %s and outcome = %s and claimed_by = %s order by patient""",
		(batch, BatchOutcome.PENDING, job),
		as_dict=True,
	)


@contextmanager
def read_committed() -> Iterator[None]:
	"""Parallel jobs insert accounts, invitations and events side by side: without gap locks (which
	REPEATABLE READ takes on every locking read) they do not deadlock. Each patient's row lock, taken
	first, still serialises everything done to that patient."""
	previous = frappe.db.sql("select @@session.tx_isolation")[0][0].replace("-", " ")
	frappe.db.sql("set session transaction isolation level read committed")
	try:
		yield
	finally:
		frappe.db.sql(f"set session transaction isolation level {previous}")


def update_counts(batch: str) -> dict[str, int]:
	counts = tally(
		frappe.db.sql(
			f"select outcome, count(*) from `tab{BATCH_ITEM}` where batch = %s group by outcome", batch
		)
	)
	frappe.db.set_value(
		BATCH,
		batch,
		{
			"total": sum(counts.values()),
			"sent": counts[BatchOutcome.SENT],
			"skipped": counts[BatchOutcome.SKIPPED],
			"failed": counts[BatchOutcome.FAILED],
		},
		update_modified=False,
	)
	return counts


def publish_progress(counts: dict[str, int]) -> None:
	total = sum(counts.values())
	done = total - counts[BatchOutcome.PENDING]
	frappe.publish_progress(
		progress_percent(done, total),
		title=_("Inviting patients"),
		description=_("{0} of {1} patients: {2} sent, {3} skipped, {4} failed").format(
			done, total, counts[BatchOutcome.SENT], counts[BatchOutcome.SKIPPED], counts[BatchOutcome.FAILED]
		),
	)


def finish(batch: Any) -> None:
	"""Complete the batch once no patient is pending; the last of its jobs to finish does it, once."""
	status = frappe.db.get_value(BATCH, batch.name, "status", for_update=True)
	counts = update_counts(batch.name)
	if status != BatchStatus.RUNNING or counts[BatchOutcome.PENDING]:
		frappe.db.commit()  # another job of this batch is still on its last chunk
		return
	frappe.db.set_value(
		BATCH,
		batch.name,
		{"status": BatchStatus.COMPLETED, "finished_on": now_datetime()},
		update_modified=False,
	)
	frappe.db.commit()
	publish_progress(counts)
	publish_done(batch.name, batch.requested_by)


def publish_done(batch: str, user: str | None) -> None:
	"""Tell the requester's open report the batch ended, with its summary."""
	values = frappe.db.get_value(BATCH, batch, ["status", "total", "sent", "skipped", "failed"], as_dict=True)
	frappe.publish_realtime(DONE_EVENT, {"batch": batch, **values}, user=user or frappe.session.user)


def resume_stalled() -> list[str]:
	"""Queue again every open batch whose worker stopped reporting progress (died or was killed)."""
	cutoff = now_datetime() - STALL_AFTER
	resumed = []
	for batch in frappe.get_all(
		BATCH,
		filters={"status": ("in", BatchStatus.OPEN)},
		fields=["name", "runs", "last_progress_on", "creation"],
	):
		if get_datetime(batch.last_progress_on or batch.creation) > cutoff:
			continue
		# Its jobs are gone: what they had claimed but not finished is anyone's again.
		frappe.db.sql(
			f"update `tab{BATCH_ITEM}` set claimed_by = null where batch = %s and outcome = %s",
			(batch.name, BatchOutcome.PENDING),
		)
		enqueue(batch.name, (batch.runs or 0) + 1)
		resumed.append(batch.name)
	return resumed


def status_of(batch: str) -> dict:
	"""The batch's state for the report's progress display."""
	values = frappe.db.get_value(BATCH, batch, ["status", "total", "sent", "skipped", "failed"], as_dict=True)
	if not values:
		frappe.throw(_("Invitation batch {0} does not exist.").format(batch), exc=frappe.DoesNotExistError)
	return {"batch": batch, **values}
