"""Bulk invitations on a real site: the batch commits as a worker does, so its data is committed and purged."""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import quote

import frappe
from frappe.utils import now_datetime

from portal_onboarding.api import onboarding as onboarding_api
from portal_onboarding.bulk import batch as bulk_batch
from portal_onboarding.constants import (
	ACCOUNT,
	BATCH,
	BATCH_ITEM,
	INVITATION,
	MANAGER_ROLE,
	AccessType,
	AccountStatus,
	BatchOutcome,
	BatchStatus,
)
from portal_onboarding.core.bulk import MAX_SELECTED
from portal_onboarding.exceptions import InvalidInvitation
from portal_onboarding.invitations import sending
from tests.integration.committed import CommittedCase
from tests.integration.factories import (
	JobRecorder,
	http_as,
	make_eligible_patient,
	make_patient,
	make_user,
	queued_mails,
	unique,
)
from tests.site import BENCH, site_name


class BatchCase(CommittedCase):
	"""Patients are committed and purged as in CommittedCase; the batches made are removed too."""

	def setUp(self):
		frappe.set_user("Administrator")
		self.batches: list[str] = []
		super().setUp()

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		for batch in self.batches:
			frappe.db.delete(BATCH_ITEM, {"batch": batch})
			frappe.db.delete(BATCH, {"name": batch})
		frappe.db.commit()
		super().tearDown()

	def patient(self, eligible: bool = True, **kw) -> str:
		patient = make_eligible_patient(**kw) if eligible else make_patient(**kw)
		self.patients.append(patient.name)
		return patient.name

	def committed_patients(self, count: int) -> list[str]:
		names = [self.patient() for _i in range(count)]
		frappe.db.commit()
		return names

	def start(self, **kw) -> tuple[str, JobRecorder]:
		"""Start a batch through the API; its job is recorded, not run."""
		with JobRecorder() as jobs:
			batch = onboarding_api.bulk_invite(**kw)["batch"]
		self.batches.append(batch)
		frappe.db.commit()
		return batch, jobs

	def run_job(self, jobs: JobRecorder) -> None:
		"""Run the batch's jobs one after another, as a single long-queue worker would."""
		self.assertEqual(len(jobs.jobs), bulk_batch.PARALLEL_JOBS)
		for job in jobs.jobs:
			self.assertEqual(job["method"], "portal_onboarding.jobs.run_invitation_batch")
			self.assertEqual(job["queue"], "long")
			with JobRecorder():
				frappe.get_attr(job["method"])(batch=job["batch"])

	def outcomes(self, batch: str) -> dict[str, tuple[str, str | None]]:
		return {
			row.patient: (row.outcome, row.reason)
			for row in frappe.get_all(
				BATCH_ITEM, filters={"batch": batch}, fields=["patient", "outcome", "reason"]
			)
		}

	def invitations_of(self, patient: str) -> list[str]:
		account = frappe.db.get_value(ACCOUNT, {"patient": patient, "access_type": AccessType.SELF})
		return frappe.get_all(INVITATION, filters={"account": account}, pluck="name") if account else []


class TestBulkInvite(BatchCase):
	def test_selected_patients_are_enabled_and_invited_and_the_rest_skipped_with_reasons(self):
		eligible = self.committed_patients(3)
		no_zip = self.patient(eligible=False, email=f"{unique('nz')}@example.com")
		already = self.patient()
		with JobRecorder() as jobs:
			sending.invite(already)
			jobs.run()
		frappe.db.commit()
		batch, jobs = self.start(patients=[*eligible, no_zip, already, "NO-SUCH-PATIENT", eligible[0]])
		self.assertEqual(frappe.db.get_value(BATCH, batch, "status"), BatchStatus.QUEUED)

		with patch("frappe.publish_progress") as progress, patch("frappe.publish_realtime") as realtime:
			self.run_job(jobs)

		doc = frappe.get_doc(BATCH, batch)
		self.assertEqual(doc.status, BatchStatus.COMPLETED)
		self.assertEqual((doc.total, doc.sent, doc.skipped, doc.failed), (6, 3, 3, 0))
		self.assertEqual(doc.runs, 1)
		self.assertIsNotNone(doc.finished_on)
		outcomes = self.outcomes(batch)
		for patient in eligible:
			self.assertEqual(outcomes[patient], (BatchOutcome.SENT, None))
			(invitation,) = self.invitations_of(patient)
			(mail,) = queued_mails(invitation)
			self.assertEqual(mail["recipients"], [frappe.db.get_value("Patient", patient, "email")])
			self.assertIn("/portal/activate#key=", mail["html"])
			self.assertEqual(frappe.db.get_value("Patient", patient, "portal_status"), AccountStatus.INVITED)
		self.assertEqual(outcomes[no_zip][0], BatchOutcome.SKIPPED)
		self.assertIn("no home ZIP code", outcomes[no_zip][1])
		self.assertEqual(outcomes[already][0], BatchOutcome.SKIPPED)
		self.assertIn("Already invited", outcomes[already][1])
		self.assertEqual(len(self.invitations_of(already)), 1)
		self.assertEqual(outcomes["NO-SUCH-PATIENT"][0], BatchOutcome.SKIPPED)
		self.assertIn("does not exist", outcomes["NO-SUCH-PATIENT"][1])
		# A live progress bar, ending at 100%, and the summary for the report.
		percents = [c.args[0] for c in progress.call_args_list]
		self.assertEqual(percents[-1], 100.0)
		done = [c for c in realtime.call_args_list if c.args[0] == bulk_batch.DONE_EVENT]
		self.assertEqual(done[-1].args[1]["sent"], 3)
		self.assertEqual(done[-1].kwargs["user"], "Administrator")

	def test_every_eligible_patient_not_yet_invited_within_the_managers_reach(self):
		eligible = self.committed_patients(3)
		expired = self.patient()
		invited = self.patient()
		no_email = self.patient(eligible=False)
		with JobRecorder() as jobs:
			sending.invite(expired)
			sending.invite(invited)
			jobs.run()
		account = frappe.db.get_value(ACCOUNT, {"patient": expired})
		frappe.db.set_value(ACCOUNT, account, "status", AccountStatus.INVITE_EXPIRED)
		frappe.db.set_value(INVITATION, {"account": account}, "status", "Expired")
		# A manager who may see only these patients: "every eligible patient" means every one they may see.
		manager, _password = make_user([MANAGER_ROLE, "Physician"])
		self.users.append(manager)
		for patient in [*eligible, expired, invited, no_email]:
			frappe.get_doc(
				{"doctype": "User Permission", "user": manager, "allow": "Patient", "for_value": patient}
			).insert(ignore_permissions=True)
		frappe.db.commit()

		frappe.set_user(manager)
		batch, jobs = self.start(all_eligible=1)
		self.assertEqual(frappe.db.count(BATCH_ITEM, {"batch": batch}), 0)
		self.run_job(jobs)
		frappe.set_user("Administrator")

		outcomes = self.outcomes(batch)
		self.assertEqual(set(outcomes), {*eligible, expired})
		self.assertTrue(all(outcome == BatchOutcome.SENT for outcome, _reason in outcomes.values()))
		self.assertEqual(len(self.invitations_of(expired)), 2)
		self.assertEqual(len(self.invitations_of(invited)), 1)
		self.assertEqual(frappe.db.get_value(BATCH, batch, "requested_by"), manager)

	def test_one_patients_failure_is_recorded_and_the_batch_goes_on(self):
		patients = self.committed_patients(3)
		bad = frappe.db.get_value("Patient", patients[1], "email")
		real_sendmail = frappe.sendmail

		def sendmail(**kw):
			if kw["recipients"] == [bad]:
				raise OSError("mailbox unavailable")
			return real_sendmail(**kw)

		batch, jobs = self.start(patients=patients)
		with patch("frappe.sendmail", sendmail):
			self.run_job(jobs)
		outcomes = self.outcomes(batch)
		self.assertEqual(outcomes[patients[1]], (BatchOutcome.FAILED, "mailbox unavailable"))
		self.assertEqual(outcomes[patients[0]][0], BatchOutcome.SENT)
		self.assertEqual(outcomes[patients[2]][0], BatchOutcome.SENT)
		doc = frappe.get_doc(BATCH, batch)
		self.assertEqual((doc.status, doc.sent, doc.failed), (BatchStatus.COMPLETED, 2, 1))
		self.assertEqual(
			frappe.db.get_value("Patient", patients[1], "portal_status"), AccountStatus.INVITE_FAILED
		)

	def test_a_patient_deleted_or_made_ineligible_after_listing_is_skipped(self):
		patients = self.committed_patients(3)
		batch, jobs = self.start(patients=patients)
		address = frappe.get_all(
			"Dynamic Link", filters={"link_name": patients[0], "parenttype": "Address"}, pluck="parent"
		)[0]
		frappe.delete_doc("Address", address, force=True, ignore_permissions=True)
		frappe.delete_doc("Patient", patients[1], force=True, ignore_permissions=True)
		frappe.db.commit()
		self.run_job(jobs)
		outcomes = self.outcomes(batch)
		self.assertEqual(outcomes[patients[0]][0], BatchOutcome.SKIPPED)
		self.assertIn("no home ZIP code", outcomes[patients[0]][1])
		self.assertEqual(outcomes[patients[1]], (BatchOutcome.SKIPPED, "The patient no longer exists."))
		self.assertEqual(outcomes[patients[2]][0], BatchOutcome.SENT)
		self.assertEqual(self.invitations_of(patients[0]), [])


class TestBadRequests(BatchCase):
	def test_over_http_a_nurse_gets_403_and_no_data(self):
		nurse, password = make_user(["Nursing User"])
		self.users.append(nurse)
		patient = self.patient()
		frappe.db.commit()
		report = quote("Patient Portal Onboarding")
		responses = http_as(
			site_name(),
			nurse,
			password,
			[
				("GET", f"/api/method/frappe.desk.query_report.run?report_name={report}&filters=%7B%7D"),
				(
					"POST",
					f"/api/method/portal_onboarding.api.onboarding.bulk_invite?patients=%5B%22{patient}%22%5D",
				),
				("POST", f"/api/method/portal_onboarding.api.onboarding.rows?patients=%5B%22{patient}%22%5D"),
			],
		)
		self.assertEqual(responses[0].status_code, 200)  # signed in
		for response in responses[1:]:
			self.assertEqual(response.status_code, 403, response.get_data(as_text=True)[:300])
			self.assertNotIn(patient, response.get_data(as_text=True))
		self.assertEqual(self.invitations_of(patient), [])

	def test_nothing_selected_both_or_too_many_are_refused_and_nothing_is_started(self):
		before = frappe.db.count(BATCH)
		cases = {
			"Tick at least one patient": {"patients": []},
			"not both": {"patients": ["X"], "all_eligible": 1},
			"at most 10,000": {"patients": [f"PAT-{i}" for i in range(50_000)]},
			"list of patient IDs": {"patients": '{"a": 1}'},
		}
		for expected, kw in cases.items():
			with self.subTest(expected), self.assertRaises(InvalidInvitation) as caught:
				onboarding_api.bulk_invite(**kw)
			self.assertIn(expected, str(caught.exception))
		self.assertEqual(frappe.db.count(BATCH), before)
		self.assertEqual(MAX_SELECTED, 10_000)

	def test_without_the_manager_role_nothing_is_invited(self):
		nurse, _password = make_user(["Nursing User"])
		self.users.append(nurse)
		patient = self.patient()
		frappe.set_user(nurse)
		with self.assertRaises(frappe.PermissionError):
			onboarding_api.bulk_invite(patients=[patient])
		with self.assertRaises(frappe.PermissionError):
			onboarding_api.bulk_invite(all_eligible=1)
		frappe.set_user("Administrator")
		self.assertEqual(self.invitations_of(patient), [])


def run_in_own_connection(batch: str, errors: list[BaseException]) -> None:
	"""What a second worker does: its own site connection, running the batch."""
	try:
		frappe.init(site=site_name(), sites_path=str(BENCH / "sites"))
		frappe.connect()
		frappe.set_user("Administrator")
		with patch("frappe.enqueue"), patch("frappe.publish_progress"), patch("frappe.publish_realtime"):
			bulk_batch.run(batch)
	except BaseException as e:
		errors.append(e)
	finally:
		frappe.destroy()


def run_at_once(batches: list[str]) -> list[BaseException]:
	"""Run each batch in a thread of its own, as that many workers would; returns their errors."""
	errors: list[BaseException] = []
	threads = [threading.Thread(target=run_in_own_connection, args=(batch, errors)) for batch in batches]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=300)
	return errors


class TestNobodyTwice(BatchCase):
	def test_two_batches_started_at_once_invite_each_patient_once(self):
		patients = self.committed_patients(8)
		first, _jobs = self.start(patients=patients)
		second, _jobs = self.start(patients=list(reversed(patients)))
		self.assertEqual(run_at_once([first, second]), [])
		frappe.db.rollback()
		for patient in patients:
			self.assertEqual(len(self.invitations_of(patient)), 1, patient)
		sent = [frappe.db.get_value(BATCH, b, "sent") for b in (first, second)]
		skipped = [frappe.db.get_value(BATCH, b, "skipped") for b in (first, second)]
		self.assertEqual(sum(sent), 8)
		self.assertEqual(sum(skipped), 8)
		for batch in (first, second):
			self.assertEqual(frappe.db.get_value(BATCH, batch, "status"), BatchStatus.COMPLETED)

	def test_parallel_jobs_of_one_batch_share_the_work_and_complete_it_once(self):
		patients = self.committed_patients(12)
		batch, _jobs = self.start(patients=patients)
		with patch.object(bulk_batch, "CHUNK_SIZE", 2):
			self.assertEqual(run_at_once([batch] * 3), [])
		frappe.db.rollback()
		doc = frappe.get_doc(BATCH, batch)
		self.assertEqual((doc.status, doc.sent, doc.skipped, doc.failed), (BatchStatus.COMPLETED, 12, 0, 0))
		for patient in patients:
			self.assertEqual(len(self.invitations_of(patient)), 1, patient)
		workers = frappe.get_all(BATCH_ITEM, filters={"batch": batch}, pluck="claimed_by", distinct=True)
		self.assertGreater(len(set(workers)), 1)

	def test_starting_the_same_batch_twice_changes_nothing(self):
		patients = self.committed_patients(2)
		batch, jobs = self.start(patients=patients)
		self.run_job(jobs)
		with JobRecorder():
			bulk_batch.run(batch)
		self.assertEqual(frappe.db.get_value(BATCH, batch, "runs"), 1)
		for patient in patients:
			self.assertEqual(len(self.invitations_of(patient)), 1)


# A worker process running a batch slowly enough to be killed in the middle.
SLOW_WORKER = """
import sys, time
import frappe
frappe.init(site=sys.argv[1], sites_path=".")
frappe.connect()
frappe.set_user("Administrator")
from portal_onboarding.invitations import delivery
from portal_onboarding.bulk import batch
batch.CHUNK_SIZE = 2
real = delivery.deliver
def slow(name):
    time.sleep(0.5)
    return real(name)
delivery.deliver = slow
print("started", flush=True)
batch.run(sys.argv[2])
"""


class TestWorkerKilled(BatchCase):
	def test_a_batch_whose_worker_died_resumes_where_it_stopped(self):
		patients = self.committed_patients(8)
		batch, _jobs = self.start(patients=patients)
		log = tempfile.TemporaryFile()
		worker = subprocess.Popen(
			[sys.executable, "-c", SLOW_WORKER, site_name(), batch],
			cwd=BENCH / "sites",
			stdout=log,
			stderr=subprocess.STDOUT,
			start_new_session=True,
		)
		try:
			deadline = time.monotonic() + 120
			while frappe.db.count(BATCH_ITEM, {"batch": batch, "outcome": BatchOutcome.SENT}) < 2:
				if worker.poll() is not None:
					log.seek(0)
					self.fail(f"the worker ended before it was killed: {log.read().decode()[-2000:]}")
				self.assertLess(time.monotonic(), deadline)
				time.sleep(0.2)
				frappe.db.rollback()
		finally:
			os.killpg(worker.pid, signal.SIGKILL)
			worker.wait(timeout=30)
		frappe.db.rollback()

		stopped = frappe.get_doc(BATCH, batch)
		self.assertEqual(stopped.status, BatchStatus.RUNNING)
		done = frappe.db.count(BATCH_ITEM, {"batch": batch, "outcome": BatchOutcome.SENT})
		self.assertLess(done, 8)

		# Not stalled yet: the scheduled check leaves a batch that moved recently alone.
		with JobRecorder() as jobs:
			self.assertEqual(bulk_batch.resume_stalled(), [])
		frappe.db.set_value(
			BATCH, batch, "last_progress_on", now_datetime() - timedelta(minutes=11), update_modified=False
		)
		frappe.db.commit()
		with JobRecorder() as jobs:
			self.assertEqual(bulk_batch.resume_stalled(), [batch])
		self.assertEqual(
			[job["job_id"] for job in jobs.jobs],
			[f"portal_onboarding:batch:{batch}:2:{n}" for n in range(1, bulk_batch.PARALLEL_JOBS + 1)],
		)
		with patch("frappe.publish_progress"), patch("frappe.publish_realtime"):
			self.run_job(jobs)

		resumed = frappe.get_doc(BATCH, batch)
		self.assertEqual((resumed.status, resumed.sent, resumed.runs), (BatchStatus.COMPLETED, 8, 2))
		for patient in patients:
			self.assertEqual(len(self.invitations_of(patient)), 1, patient)
			(invitation,) = self.invitations_of(patient)
			self.assertEqual(len(queued_mails(invitation)), 1)
