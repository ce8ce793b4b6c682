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
from frappe.utils import get_datetime, now_datetime, strip_html

from portal_onboarding import delivery, onboarding
from portal_onboarding.constants import (
	ACCOUNT,
	BATCH,
	BATCH_ITEM,
	EVENT,
	INVITATION,
	PATIENT,
	AccessType,
	BatchMode,
	BatchOutcome,
	BatchStatus,
	Channel,
	InvitationStatus,
)
from portal_onboarding.core.bulk import CHUNK_SIZE, Selection, progress_percent, skip_reason, tally
from portal_onboarding.exceptions import PortalOnboardingError
from portal_onboarding.reporting import queries
from portal_onboarding.security.actions import acting, app_action
from portal_onboarding.settings import eligibility_rules, get_settings

# A running batch that has not recorded progress for this long lost its worker.
STALL_AFTER = timedelta(minutes=10)
# Jobs queued per batch: Frappe's own scale-out is more long-queue workers; with one, they run in turn.
PARALLEL_JOBS = 4
DEADLOCK_RETRIES = 3
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


def invite_with_retry(item: Any) -> tuple[str, str | None, str | None, str | None] | None:
	"""`invite_one`, tried again when the database picked this transaction as a deadlock victim."""
	for attempt in range(1, DEADLOCK_RETRIES + 1):
		try:
			return invite_one(item)
		except Exception as e:
			if not frappe.db.is_deadlocked(e) or attempt == DEADLOCK_RETRIES:
				raise
			frappe.db.rollback()
	return None


# Internal: the invitation is made and waits to be mailed in a transaction of its own.
TO_DELIVER = "To Deliver"
SERIES_DOCTYPES = (ACCOUNT, EVENT, INVITATION)


def process_item(item: Any) -> None:
	"""One patient: the invitation is made under the patient's lock and committed, then mailed.

	Mailing (rendering and queueing) is most of the time and takes no shared lock, so parallel jobs
	overlap there. The invitation is recorded on the item before it is mailed: a run resumed after a
	crash in between mails it, instead of taking it for someone else's.
	"""
	try:
		result = invite_with_retry(item)
	except Exception as e:
		frappe.db.rollback()
		log_unexpected(e, item.patient)
		result = (BatchOutcome.FAILED, message_of(e), None, None)
	if result is None:  # another run of this batch handled the patient a moment ago
		frappe.db.commit()
		return
	outcome, reason, account, invitation = result
	if outcome == TO_DELIVER:
		frappe.db.set_value(
			BATCH_ITEM, item.name, {"account": account, "invitation": invitation}, update_modified=False
		)
		frappe.db.commit()
		outcome, reason = deliver_item(invitation, item.patient)
	frappe.db.set_value(
		BATCH_ITEM,
		item.name,
		{"outcome": outcome, "reason": reason, "account": account, "invitation": invitation},
		update_modified=False,
	)
	frappe.db.commit()


def deliver_item(invitation: str, patient: str) -> tuple[str, str | None]:
	"""Mail the invitation; a failed send is recorded on it (and retried hourly), and is this outcome."""
	try:
		delivery.deliver(invitation)
	except Exception as e:
		frappe.db.rollback()
		log_unexpected(e, patient)
		return BatchOutcome.FAILED, message_of(e)
	status, failure = frappe.db.get_value(INVITATION, invitation, ["status", "failure_reason"])
	if status == InvitationStatus.SENT:
		return BatchOutcome.SENT, None
	return BatchOutcome.FAILED, failure or _("The invitation could not be sent.")


def log_unexpected(error: Exception, patient: str) -> None:
	if not isinstance(error, frappe.ValidationError):
		frappe.log_error(
			title=_("Portal invitation batch: patient failed"),
			reference_doctype=PATIENT,
			reference_name=patient,
		)


def series_keys() -> list[str]:
	"""The naming-series rows that accounts, events and invitations take when they are inserted."""
	year = str(now_datetime().year)
	keys = []
	for doctype in SERIES_DOCTYPES:
		autoname = (frappe.get_meta(doctype).autoname or "").removeprefix("format:")
		if "{#" in autoname:
			keys.append(autoname.split("{#")[0].replace("{YYYY}", year))
	return sorted(keys)


def lock_series() -> None:
	"""Take the naming-series rows in one order before inserting: parallel jobs otherwise take them
	in the order each patient's history needs (event before invitation, or after) and deadlock."""
	frappe.db.sql(
		"select name from `tabSeries` where name in %s order by name for update", (tuple(series_keys()),)
	)


def invite_one(item: Any) -> tuple[str, str | None, str | None, str | None] | None:
	"""Enable and invite the item's patient, or say why not; the patient's row is locked first."""
	if not onboarding.lock_patient_row(item.patient):
		return BatchOutcome.SKIPPED, _("The patient no longer exists."), None, None
	current = frappe.db.get_value(
		BATCH_ITEM, item.name, ["outcome", "account", "invitation"], as_dict=True, for_update=True
	)
	if current.outcome != BatchOutcome.PENDING:
		return None
	if current.invitation:
		# Made by this batch before its worker stopped: mail it now, whoever resumes.
		return TO_DELIVER, None, current.account, current.invitation
	account = frappe.db.get_value(
		ACCOUNT,
		{"patient": item.patient, "access_type": AccessType.SELF},
		["name", "status"],
		as_dict=True,
		for_update=True,
	)
	on_its_way = bool(
		account
		and frappe.db.exists(
			INVITATION,
			{"account": account.name, "status": ("in", (InvitationStatus.QUEUED, InvitationStatus.SENT))},
		)
	)
	reason = skip_reason(account.status if account else None, on_its_way)
	if reason:
		return (
			BatchOutcome.SKIPPED,
			_(reason.message).format(*reason.args),
			account.name if account else None,
			None,
		)
	lock_series()
	try:
		account_doc, invitation = onboarding.invite(
			item.patient, channel=channel_for(item.patient), enqueue=False
		)
	except PortalOnboardingError as e:
		# Made ineligible (or otherwise refused) since it was listed: the reason is the outcome.
		return BatchOutcome.SKIPPED, message_of(e), account.name if account else None, None
	return TO_DELIVER, None, account_doc.name, invitation.name


def channel_for(patient: str) -> str:
	if get_settings().send_sms_notice and frappe.db.get_value(PATIENT, patient, "mobile"):
		return Channel.BOTH
	return Channel.EMAIL


def message_of(error: Exception) -> str:
	text = strip_html(str(error).replace("<br>", " ")).strip()
	return text or error.__class__.__name__


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
