"""Documents shared with the patient portal, on a real site: managers share a patient's files (made as
Desk's upload makes them), the portal lists and serves only those, to logins granted the Documents
section on that patient, and every share and its end is audited."""

from werkzeug.test import Client

import frappe
from frappe.utils import random_string

from portal_onboarding.api import documents as documents_api
from portal_onboarding.constants import DOCUMENT, EVENT, MANAGER_ROLE, EventType
from portal_onboarding.exceptions import InvalidDocumentShare
from tests.integration.factories import accept_link, in_own_thread, strong_password, unique
from tests.integration.test_portal import PortalCase, permit, raw_insert, shows
from tests.site import site_name

WITH_DOCUMENTS = ["Appointments", "Documents"]
PAGE = "/portal/documents"
DOWNLOAD = "/api/method/portal_onboarding.api.documents.download?document={}"
REFUSAL = "This part of the portal is not available to you."


def attach(doctype: str, name: str, content: bytes, file_name: str | None = None) -> object:
	"""A private File attached to a record, as Desk's upload (the paperclip) saves one."""
	return frappe.get_doc(
		{
			"doctype": "File",
			"file_name": file_name or f"scan-{random_string(8).lower()}.pdf",
			"attached_to_doctype": doctype,
			"attached_to_name": name,
			"is_private": 1,
			"content": content,
		}
	).insert(ignore_permissions=True)


def pdf_bytes(marker: str) -> bytes:
	# Not valid UTF-8 on purpose: the download must pass binary content through untouched.
	return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\xff\n" + marker.encode() + b"\n%%EOF\n"


def encounter(patient: str, docstatus: int = 1) -> str:
	return raw_insert(
		{
			"doctype": "Patient Encounter",
			"patient": patient,
			"docstatus": docstatus,
			"encounter_date": "2026-11-30",
		}
	)


def events(patient: str, event_type: str) -> list:
	return frappe.get_all(
		EVENT, filters={"patient": patient, "event_type": event_type}, fields=["actor", "details"]
	)


def refusal(response) -> tuple[int, str | None, tuple[str, ...]]:
	"""What a refused API call answers: status, exception type and the messages shown."""
	body = response.get_json() or {}
	messages = [
		frappe.parse_json(m).get("message") for m in frappe.parse_json(body.get("_server_messages") or "[]")
	]
	return response.status_code, body.get("exc_type"), tuple(messages)


class DocumentsCase(PortalCase):
	def setUp(self):
		super().setUp()
		self.files: list[str] = []

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		for name in self.files:
			if frappe.db.exists("File", name):
				frappe.delete_doc("File", name, ignore_permissions=True, delete_permanently=True)
		frappe.db.delete(DOCUMENT, {"patient": ("in", self.patients or [""])})
		frappe.db.commit()
		super().tearDown()

	def file(self, doctype: str, name: str, marker: str | None = None, **kw) -> object:
		doc = attach(doctype, name, pdf_bytes(marker or random_string(12)), **kw)
		self.files.append(doc.name)
		return doc

	def manager(self, *roles: str) -> str:
		return self.user([MANAGER_ROLE, *roles])[0]

	def portal_patient(self, sections=WITH_DOCUMENTS):
		"""A patient with an Active Self login permitting `sections`; (patient, user, password)."""
		patient = self.patient()
		_account, user, password = self.login_with_password(patient.name)
		permit(patient.name, sections)
		self.users.append(user)
		return patient, user, password

	def share_as(self, user: str, file: str, title: str | None = None) -> dict:
		frappe.set_user(user)
		try:
			return documents_api.share(file, title)
		finally:
			frappe.set_user("Administrator")


class TestSharing(DocumentsCase):
	def test_a_manager_shares_a_patients_file_once_and_it_is_audited(self):
		patient = self.patient()
		bystander = self.patient()
		manager = self.manager()
		scan = self.file("Patient", patient.name)
		first = self.share_as(manager, scan.name, "  Referral   letter ")
		again = self.share_as(manager, scan.name, "Another title")
		self.assertTrue(first["created"])
		self.assertFalse(again["created"])
		self.assertEqual(again["document"], first["document"])
		doc = frappe.get_doc(DOCUMENT, first["document"])
		self.assertEqual(
			(doc.patient, doc.title, doc.file, doc.file_size, doc.reference_doctype, doc.reference_name),
			(patient.name, "Referral letter", scan.name, scan.file_size, "Patient", patient.name),
		)
		self.assertEqual(doc.shared_by, manager)
		self.assertGreater(doc.file_size, 0)
		self.assertEqual(frappe.db.count(DOCUMENT, {"file": scan.name}), 1)
		(event,) = events(patient.name, EventType.DOCUMENT_SHARED)
		self.assertEqual(event.actor, manager)
		self.assertIn("Referral letter", event.details)
		self.assertNotIn("/private/files", event.details)
		self.assertEqual(events(bystander.name, EventType.DOCUMENT_SHARED), [])
		frappe.set_user(manager)
		try:
			(row,) = documents_api.patient_documents(patient.name)
			self.assertEqual(documents_api.patient_documents(bystander.name), [])
			(offered,) = documents_api.shareable_files(patient.name)
		finally:
			frappe.set_user("Administrator")
		self.assertEqual((row["name"], row["title"]), (doc.name, "Referral letter"))
		self.assertEqual((offered["name"], offered["shared_as"]), (scan.name, doc.name))

	def test_a_file_on_a_clinical_record_is_shared_for_the_records_patient(self):
		patient = self.patient()
		record = encounter(patient.name)
		scan = self.file("Patient Encounter", record)
		# The File's own permission: a manager who cannot read the encounter cannot share its files.
		with self.assertRaises(frappe.PermissionError):
			self.share_as(self.manager(), scan.name)
		result = self.share_as(self.manager("Physician"), scan.name, "Discharge letter")
		self.assertEqual(result["patient"], patient.name)
		self.assertEqual(
			frappe.db.get_value(DOCUMENT, result["document"], ["reference_doctype", "reference_name"]),
			("Patient Encounter", record),
		)
		cancelled = self.file("Patient Encounter", encounter(patient.name, docstatus=2))
		with self.assertRaises(InvalidDocumentShare) as refused:
			documents_api.share(cancelled.name)
		self.assertIn("is cancelled", str(refused.exception))

	def test_files_of_anything_else_are_refused_with_a_clear_message(self):
		patient = self.patient()
		manager = self.manager()
		cases = [
			(self.file("", ""), "not attached to any record"),
			# A staff member's profile picture: a file on a record that is nobody's clinical record.
			(self.file("User", manager), "attached to a User"),
		]
		for file, message in cases:
			with self.assertRaises(InvalidDocumentShare) as refused:
				documents_api.share(file.name)
			self.assertIn(message, str(refused.exception))
		self.assertIn("Patient Encounter", str(refused.exception))  # what can be shared instead
		with self.assertRaises(frappe.DoesNotExistError):
			documents_api.share("no-such-file")
		self.assertEqual(frappe.db.count(DOCUMENT, {"file": ("in", self.files)}), 0)
		self.assertEqual(events(patient.name, EventType.DOCUMENT_SHARED), [])

	def test_staff_without_a_manager_role_and_portal_logins_are_refused(self):
		patient, portal_user, _password = self.portal_patient()
		scan = self.file("Patient", patient.name)
		shared = documents_api.share(scan.name)["document"]
		other_scan = self.file("Patient", patient.name)
		physician = self.user(["Physician"])[0]
		nurse = self.user(["Nursing User"])[0]
		for user in (physician, nurse, portal_user):
			frappe.set_user(user)
			try:
				for action in (
					lambda: documents_api.share(other_scan.name),
					lambda: documents_api.unshare(shared),
					lambda: documents_api.shareable_files(patient.name),
					lambda: documents_api.file_sharing(other_scan.name),
				):
					with self.assertRaises(frappe.PermissionError, msg=user):
						action()
			finally:
				frappe.set_user("Administrator")
		self.assertTrue(frappe.db.exists(DOCUMENT, shared))
		self.assertFalse(frappe.db.exists(DOCUMENT, {"file": other_scan.name}))
		self.assertEqual(len(events(patient.name, EventType.DOCUMENT_SHARED)), 1)
		self.assertEqual(events(patient.name, EventType.DOCUMENT_UNSHARED), [])
		# Over HTTP the portal login does not even reach the method (the request gate refuses it).
		frappe.db.commit()
		(response,) = self.get(
			portal_user,
			_password,
			[("POST", "/api/method/portal_onboarding.api.documents.share", {"file": other_scan.name})],
		)
		self.assertEqual(response.status_code, 403)
		self.assertFalse(frappe.db.exists(DOCUMENT, {"file": other_scan.name}))

	def test_shares_change_only_through_the_actions(self):
		patient = self.patient()
		scan = self.file("Patient", patient.name)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{"doctype": DOCUMENT, "patient": patient.name, "title": "By hand", "file": scan.name}
			).insert(ignore_permissions=True)
		shared = documents_api.share(scan.name)["document"]
		for change in (
			lambda: frappe.get_doc(DOCUMENT, shared).save(ignore_permissions=True),
			lambda: frappe.delete_doc(DOCUMENT, shared, ignore_permissions=True),
		):
			with self.assertRaises(frappe.PermissionError):
				change()
		self.assertTrue(frappe.db.exists(DOCUMENT, shared))

	def test_unsharing_deleting_or_moving_the_file_ends_the_share_and_is_audited(self):
		patient, other = self.patient(), self.patient()
		manager = self.manager()
		kept, removed, moved = (self.file("Patient", patient.name) for _ in range(3))
		shares = {f.name: self.share_as(manager, f.name)["document"] for f in (kept, removed, moved)}
		gone = self.file("Patient", patient.name)
		shares[gone.name] = documents_api.share(gone.name)["document"]

		frappe.set_user(manager)
		try:
			self.assertEqual(documents_api.unshare(shares[removed.name]), {"unshared": shares[removed.name]})
		finally:
			frappe.set_user("Administrator")
		frappe.delete_doc("File", gone.name, ignore_permissions=True)
		moved.reload()
		moved.attached_to_name = other.name
		moved.save(ignore_permissions=True)

		self.assertTrue(frappe.db.exists(DOCUMENT, shares[kept.name]))
		for file in (removed, gone, moved):
			self.assertFalse(frappe.db.exists(DOCUMENT, shares[file.name]), file.name)
		unshared = events(patient.name, EventType.DOCUMENT_UNSHARED)
		self.assertEqual(len(unshared), 3)
		details = " ".join(e.details for e in unshared)
		self.assertIn("Unshared by staff", details)
		self.assertIn("The file was deleted", details)
		self.assertIn("attached to another record", details)
		self.assertIn(manager, {e.actor for e in unshared})
		self.assertEqual(events(other.name, EventType.DOCUMENT_SHARED), [])
		with self.assertRaises(frappe.DoesNotExistError):
			documents_api.unshare(shares[removed.name])

	def test_cancelling_the_record_ends_the_shares_of_its_files(self):
		patient = self.patient()
		vitals = frappe.get_doc(
			{
				"doctype": "Vital Signs",
				"patient": patient.name,
				"signs_date": "2026-11-30",
				"temperature": "37.1",
			}
		).insert(ignore_permissions=True)
		vitals.submit()
		chart = self.file("Vital Signs", vitals.name)
		shared = documents_api.share(chart.name, "Temperature chart")["document"]
		kept = documents_api.share(self.file("Patient", patient.name).name)["document"]
		vitals.reload()
		vitals.cancel()
		self.assertFalse(frappe.db.exists(DOCUMENT, shared))
		self.assertTrue(frappe.db.exists(DOCUMENT, kept))
		(event,) = events(patient.name, EventType.DOCUMENT_UNSHARED)
		self.assertIn("was cancelled", event.details)


class TestThroughThePortal(DocumentsCase):
	def test_the_portal_lists_and_serves_only_the_chosen_patients_shared_documents(self):
		patient, user, password = self.portal_patient()
		stranger, _user, _password = self.portal_patient()
		markers = {key: random_string(16) for key in ("shared", "unshared", "never", "stranger", "on_record")}
		shared = self.file("Patient", patient.name, markers["shared"])
		unshared = self.file("Patient", patient.name, markers["unshared"])
		never = self.file("Patient", patient.name, markers["never"])
		on_record = self.file("Patient Encounter", encounter(patient.name), markers["on_record"])
		theirs = self.file("Patient", stranger.name, markers["stranger"])
		names = {
			"shared": documents_api.share(shared.name, "Blood test results")["document"],
			"unshared": documents_api.share(unshared.name, "Old letter")["document"],
			"on_record": documents_api.share(on_record.name, "Discharge summary")["document"],
			"stranger": documents_api.share(theirs.name, "Stranger's letter")["document"],
		}
		documents_api.unshare(names["unshared"])
		frappe.db.commit()
		page, mine, from_record, old, foreign, unknown, direct, direct_never = self.get(
			user,
			password,
			[
				("GET", PAGE, None),
				("GET", DOWNLOAD.format(names["shared"]), None),
				("GET", DOWNLOAD.format(names["on_record"]), None),
				("GET", DOWNLOAD.format(names["unshared"]), None),
				("GET", DOWNLOAD.format(names["stranger"]), None),
				("GET", DOWNLOAD.format("no-such-share"), None),
				("GET", shared.file_url, None),
				("GET", never.file_url, None),
			],
		)
		html = page.get_data(as_text=True)
		self.assertEqual(page.status_code, 200, html[:500])
		self.assertTrue(shows(page, "Blood test results"))
		self.assertTrue(shows(page, "Discharge summary"))
		self.assertTrue(shows(page, f'data-document="{names["shared"]}"'))
		for absent in (
			"Old letter",
			"Stranger's letter",
			stranger.patient_name,
			never.file_name,
			"/private/files",
		):
			self.assertNotIn(absent, html)
		self.assertIn(DOWNLOAD.format(names["shared"]), html)

		self.assertEqual(mine.status_code, 200)
		self.assertEqual(mine.get_data(), pdf_bytes(markers["shared"]))
		self.assertEqual(from_record.get_data(), pdf_bytes(markers["on_record"]))
		disposition = mine.headers["Content-Disposition"]
		self.assertIn("attachment", disposition)
		self.assertIn("Blood test results.pdf", disposition)
		# Kept by no browser or proxy, and never sniffed into something the browser would run.
		self.assertEqual(mine.headers["Cache-Control"], "no-store, private")
		self.assertEqual(mine.headers["X-Content-Type-Options"], "nosniff")
		headers = str(mine.headers)
		for secret in (shared.file_url, shared.file_name, "/private", "/files/"):
			self.assertNotIn(secret, headers)

		# Ended, another patient's and unknown shares: one answer, nothing of the file.
		answers = {refusal(r) for r in (old, foreign, unknown)}
		self.assertEqual(answers, {(403, "PermissionError", (REFUSAL,))})
		for response in (old, foreign, unknown, direct, direct_never):
			body = response.get_data()
			self.assertFalse(any(m.encode() in body for m in markers.values()), response.status_code)
		self.assertNotEqual(direct.status_code, 200)
		self.assertNotEqual(direct_never.status_code, 200)

	def test_a_representative_sees_the_documents_of_the_patient_chosen(self):
		children = [self.patient(), self.patient()]
		rep = {"first_name": "Robin", "last_name": "Parent", "email": f"{unique('robin')}@example.com"}
		rep["relation"] = "Parent"
		username, password = unique("robin."), strong_password()
		for n, child in enumerate(children):
			_account, _invitation, key = self.invited(child.name, representative=rep)
			self.assertTrue(accept_link(key, username=username, password=password, existing_login=n)["ok"])
			frappe.db.commit()
			permit(child.name, WITH_DOCUMENTS)
		user = frappe.db.get_value(
			"Patient Portal Account",
			{"patient": children[0].name, "access_type": "Authorized Representative"},
			"user",
		)
		self.users.append(user)
		first = documents_api.share(self.file("Patient", children[0].name).name, "Alma's vaccination card")
		second = documents_api.share(self.file("Patient", children[1].name).name, "Bruno's x-ray report")
		frappe.db.commit()
		choose = "/api/method/portal_onboarding.api.portal.choose_patient"
		_chose, alma, _chose_again, bruno, both = self.get(
			user,
			password,
			[
				("POST", choose, {"patient": children[0].name}),
				("GET", PAGE, None),
				("POST", choose, {"patient": children[1].name}),
				("GET", PAGE, None),
				("GET", DOWNLOAD.format(first["document"]), None),
			],
		)
		self.assertTrue(shows(alma, "Alma&#39;s vaccination card") or shows(alma, "Alma's vaccination card"))
		self.assertFalse(shows(alma, "x-ray"))
		self.assertTrue(shows(bruno, "x-ray report"))
		self.assertFalse(shows(bruno, "vaccination"))
		# The download checks the grant on the document's patient, whichever child is on screen.
		self.assertEqual(both.status_code, 200)
		del second

	def test_without_the_documents_section_the_page_and_downloads_are_refused(self):
		patient, user, password = self.portal_patient(["Appointments"])
		shared = documents_api.share(self.file("Patient", patient.name).name, "Referral letter")["document"]
		frappe.db.commit()
		home, page, download = self.get(
			user,
			password,
			[("GET", "/portal", None), ("GET", PAGE, None), ("GET", DOWNLOAD.format(shared), None)],
		)
		self.assertFalse(shows(home, 'data-section="Documents"'))
		self.assertEqual(page.status_code, 403)
		self.assertFalse(shows(page, "Referral letter"))
		self.assertEqual(refusal(download), (403, "PermissionError", (REFUSAL,)))

	def test_nothing_shared_says_so(self):
		patient, user, password = self.portal_patient()
		self.file("Patient", patient.name)  # attached, never shared
		frappe.db.commit()
		home, page = self.get(user, password, [("GET", "/portal", None), ("GET", PAGE, None)])
		self.assertTrue(shows(home, 'data-section="Documents"'))
		self.assertEqual(page.status_code, 200)
		self.assertTrue(shows(page, "data-documents-empty"))
		self.assertTrue(shows(page, "has not shared any documents with"))
		self.assertTrue(shows(page, patient.patient_name))
		self.assertFalse(shows(page, "data-download"))

	def test_a_guest_is_refused(self):
		patient = self.patient()
		shared = documents_api.share(self.file("Patient", patient.name).name)["document"]
		frappe.db.commit()

		def work():
			from frappe.app import application

			client = Client(application)
			headers = {"Host": site_name()}
			return [
				client.get(DOWNLOAD.format(shared), headers=headers),
				client.get(PAGE, headers=headers),
			]

		download, page = in_own_thread(work)
		self.assertEqual(download.status_code, 403)
		self.assertNotIn(b"%PDF", download.get_data())
		self.assertIn(page.status_code, (301, 302))
		self.assertIn("/login", page.headers["Location"])

	def test_the_page_and_the_refusal_follow_the_persons_language(self):
		patient, user, password = self.portal_patient()
		documents_api.share(self.file("Patient", patient.name).name, "Informe de análisis")
		frappe.db.set_value("User", user, "language", "es")
		frappe.db.commit()
		page, refused = self.get(
			user, password, [("GET", PAGE, None), ("GET", DOWNLOAD.format("no-such-share"), None)]
		)
		for spanish in ("Documentos", "Compartido el", "Tamaño", "Descargar", "Informe de análisis"):
			self.assertTrue(shows(page, spanish), spanish)
		self.assertEqual(refusal(refused)[:2], (403, "PermissionError"))
		self.assertNotEqual(refusal(refused)[2], (REFUSAL,))  # translated
