"""Measure: generate patients with shared emails, representatives of several patients, suspended and
expired accounts, parents of children who grew up, a proxy its patient revoked and Marley-made logins, then probe every route that can return patient data as each
login. A leak is any response carrying a marker of a patient the login is not granted (or of what no
login may see: a draft, an unshared document, a practitioner's notes): an email, a mobile number, a
unique lab value, practitioner, diagnosis, invoice amount or document text, none of which the prober ever
types. PDFs are read as text. The counts go to tests/.reports/leak_probe.txt for the closing note."""

import io
import json
import random
import unicodedata
from pathlib import Path
from urllib.parse import quote

from pypdf import PdfReader
from werkzeug.test import Client

import frappe
from frappe.utils import add_days, add_years, getdate, today
from frappe.utils.password import update_password

from portal_onboarding.accounts import management
from portal_onboarding.api import documents as documents_api
from portal_onboarding.api import invitation as invitation_api
from portal_onboarding.api import proxies as proxies_api
from portal_onboarding.constants import ACCOUNT, DOCUMENT, FORM_REQUEST
from portal_onboarding.core.medical_records import DEFAULT_RELEASED
from portal_onboarding.permissions import portal_grants
from portal_onboarding.representatives.ages import follow_age
from portal_onboarding.settings import age_policy
from tests.integration.committed import CommittedCase
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	in_own_thread,
	make_user,
	strong_password,
	unique,
)
from tests.integration.test_portal import ALL_SECTIONS, CLINICAL, permit, raw_insert
from tests.integration.test_portal_documents import attach, pdf_bytes
from tests.integration.test_portal_invoices import make_invoice, purge_invoices
from tests.integration.test_portal_medical_records import Clinic, release
from tests.site import site_name

REPORT = Path(__file__).resolve().parents[1] / ".reports" / "leak_probe.txt"
WEB_FORMS = {
	"Patient": "personal-details",
	"Lab Test": "lab-test",
	"Patient Encounter": "prescription",
	"Patient Appointment": "patient-appointments",
}
METHOD = "/api/method/"
PROBED_SECTIONS = [*ALL_SECTIONS, "Forms", "Medical Records", "Invoices", "Documents"]
INVOICE_DOWNLOAD = METHOD + "portal_onboarding.api.invoices.download?invoice="
DOCUMENT_DOWNLOAD = METHOD + "portal_onboarding.api.documents.download?document="


def readable(response) -> str:
	"""What a response shows a person: a PDF's text, anything else's bytes as text."""
	if response.mimetype == "application/pdf" and response.status_code == 200:
		try:
			pages = PdfReader(io.BytesIO(response.data)).pages
			# A PDF writes "fl" or "fi" in a name as one ligature character: compare the plain letters.
			return unicodedata.normalize("NFKC", "\n".join(page.extract_text() or "" for page in pages))
		except Exception:
			pass
	return response.data.decode("utf-8", "replace")


def probes_for(patients: list[dict]) -> list[tuple[str, str, dict | None]]:
	"""Every request that could carry a patient's data, for every patient and record."""
	requests: list[tuple[str, str, dict | None]] = [
		("GET", "/portal", None),
		("GET", "/portal/appointments", None),
		("GET", "/portal/lab-results", None),
		("GET", "/portal/prescriptions", None),
		("GET", "/portal/personal-details", None),
		("GET", "/portal/forms", None),
		("GET", "/portal/medical-records", None),
		("GET", "/portal/invoices", None),
		("GET", "/portal/documents", None),
		("GET", "/portal/people", None),
		("GET", "/invoices", None),
		("GET", "/me", None),
		("GET", f"/api/resource/{quote('Sales Invoice')}?fields=%5B%22*%22%5D&limit_page_length=0", None),
		("GET", f"/api/resource/{quote('Vital Signs')}?fields=%5B%22*%22%5D&limit_page_length=0", None),
		("GET", "/api/resource/File?fields=%5B%22*%22%5D&limit_page_length=0", None),
		("GET", f"/api/resource/{quote(DOCUMENT)}?fields=%5B%22*%22%5D&limit_page_length=0", None),
		("GET", f"/api/resource/{quote(FORM_REQUEST)}?fields=%5B%22*%22%5D&limit_page_length=0", None),
	]
	for doctype, route in WEB_FORMS.items():
		requests += [("GET", f"/{route}", None), ("GET", f"/{route}/list", None)]
		requests.append(
			("GET", f"/api/resource/{quote(doctype)}?fields=%5B%22*%22%5D&limit_page_length=0", None)
		)
		for method in (
			"frappe.client.get_list",
			"frappe.desk.reportview.get",
			"frappe.desk.reportview.get_count",
		):
			requests.append(("POST", METHOD + method, {"doctype": doctype, "fields": '["*"]'}))
		requests.append(("POST", METHOD + "frappe.desk.search.search_link", {"doctype": doctype, "txt": ""}))
		requests.append(
			("POST", METHOD + "frappe.desk.search.search_widget", {"doctype": doctype, "txt": ""})
		)
	for patient in patients:
		for doctype, name in [("Patient", patient["name"]), *patient["records"]]:
			requests += [
				("GET", f"/api/resource/{quote(doctype)}/{quote(name)}", None),
				("POST", METHOD + "frappe.client.get", {"doctype": doctype, "name": name}),
				(
					"POST",
					METHOD + "frappe.client.get_value",
					{"doctype": doctype, "filters": json.dumps({"name": name}), "fieldname": '["*"]'},
				),
				("GET", f"/printview?doctype={quote(doctype)}&name={quote(name)}", None),
				("GET", f"/{WEB_FORMS[doctype]}/{quote(name)}", None),
				(
					"POST",
					METHOD + "frappe.website.doctype.web_form.web_form.get_form_data",
					{"doctype": doctype, "docname": name, "web_form_name": WEB_FORMS[doctype]},
				),
			]
		for form in patient["forms"]:
			requests += [
				("POST", METHOD + "portal_onboarding.api.forms.start", {"request": form}),
				("POST", METHOD + "frappe.client.get", {"doctype": FORM_REQUEST, "name": form}),
				("GET", f"/api/resource/{quote(FORM_REQUEST)}/{quote(form)}", None),
			]
		for invoice in patient["invoices"]:
			requests += [
				("GET", INVOICE_DOWNLOAD + quote(invoice), None),
				("POST", METHOD + "portal_onboarding.api.invoices.pay", {"invoice": invoice}),
				("GET", f"/api/resource/{quote('Sales Invoice')}/{quote(invoice)}", None),
				("POST", METHOD + "frappe.client.get", {"doctype": "Sales Invoice", "name": invoice}),
				("GET", f"/printview?doctype={quote('Sales Invoice')}&name={quote(invoice)}", None),
				("GET", f"/invoices/{quote(invoice)}", None),
			]
		for document in patient["documents"]:
			requests += [
				("GET", DOCUMENT_DOWNLOAD + quote(document), None),
				("POST", METHOD + "frappe.client.get", {"doctype": DOCUMENT, "name": document}),
			]
		for file_name, file_url in patient["files"]:
			requests += [
				("GET", file_url, None),
				("GET", METHOD + "frappe.utils.file_manager.download_file?file_url=" + quote(file_url), None),
				("POST", METHOD + "frappe.client.get", {"doctype": "File", "name": file_name}),
				("GET", f"/api/resource/File/{quote(file_name)}", None),
				("GET", DOCUMENT_DOWNLOAD + quote(file_name), None),
			]
		for doctype, name in patient["clinical"]:
			requests += [
				("GET", f"/api/resource/{quote(doctype)}/{quote(name)}", None),
				("POST", METHOD + "frappe.client.get", {"doctype": doctype, "name": name}),
				("GET", f"/printview?doctype={quote(doctype)}&name={quote(name)}", None),
			]
		requests.append(
			("POST", METHOD + "portal_onboarding.api.portal.choose_patient", {"patient": patient["name"]})
		)
		requests += [
			("GET", f"/portal/{section}?patient={quote(patient['name'])}", None)
			for section in ("lab-results", "appointments")
		]
	return requests


class TestLeakProbe(CommittedCase):
	def setUp(self):
		super().setUp()
		# The clinic releases the default medical record types, whatever earlier tests left set.
		release(*DEFAULT_RELEASED)
		self.clinic = Clinic()
		self.files: list[str] = []

	def tearDown(self):
		self.clinic.remove()
		purge_invoices(self.patients)
		for name in self.files:
			if frappe.db.exists("File", name):
				frappe.delete_doc("File", name, ignore_permissions=True, delete_permanently=True)
		frappe.db.delete(DOCUMENT, {"patient": ("in", self.patients or [""])})
		for doctype in (*CLINICAL, FORM_REQUEST):
			frappe.db.delete(doctype, {"patient": ("in", self.patients or [""])})
		frappe.db.delete("Normal Test Result", {"parent": ("like", "LAB-%")})
		frappe.db.delete("Drug Prescription", {"parent": ("like", "PAT-%")})
		frappe.db.commit()
		super().tearDown()

	def make_records(
		self, patient: str, rng: random.Random
	) -> tuple[list[tuple[str, str]], list[str], list[str], list[str], dict]:
		"""A submitted and a draft lab test, an appointment, an encounter, a requested form, a submitted
		and a draft invoice, a shared and an unshared document, and a practitioner's submitted encounter
		and vital signs (with notes), each with unique markers."""
		value, draft_value = (
			f"{rng.randint(100, 999)}.{rng.randint(10, 99)}",
			f"{rng.randint(100, 999)}.{rng.randint(10, 99)}",
		)
		doctor = f"Dr {unique('Marker')}"
		drug = unique("Drug")
		lab = raw_insert(
			{"doctype": "Lab Test", "patient": patient, "docstatus": 1, "result_date": today()},
			{
				"normal_test_items": (
					"Normal Test Result",
					[{"lab_test_name": "Probe", "result_value": value, "normal_range": "1 - 2"}],
				)
			},
		)
		draft = raw_insert(
			{"doctype": "Lab Test", "patient": patient, "docstatus": 0},
			{
				"normal_test_items": (
					"Normal Test Result",
					[{"lab_test_name": "Probe", "result_value": draft_value}],
				)
			},
		)
		appointment = raw_insert(
			{
				"doctype": "Patient Appointment",
				"patient": patient,
				"appointment_date": add_days(today(), 2),
				"practitioner_name": doctor,
			}
		)
		encounter = raw_insert(
			{"doctype": "Patient Encounter", "patient": patient, "docstatus": 1, "encounter_date": today()},
			{"drug_prescription": ("Drug Prescription", [{"drug_name": drug}])},
		)
		records = [
			("Lab Test", lab),
			("Lab Test", draft),
			("Patient Appointment", appointment),
			("Patient Encounter", encounter),
		]
		form_title = unique("Consent ")
		form = raw_insert(
			{
				"doctype": FORM_REQUEST,
				"patient": patient,
				"web_form": "probe-consent",
				"form_title": form_title,
				"status": "Requested",
			}
		)
		# Billing, documents and medical records, each made as the clinic makes them.
		amount, draft_amount = (f"{rng.randint(100, 999)}.{rng.randint(10, 99)}" for _n in range(2))
		invoices = [
			make_invoice(patient, rate=float(amount)),
			make_invoice(patient, rate=float(draft_amount), submit=False),
		]
		title, shared_text, unshared_text = unique("Letter "), unique("shared-"), unique("unshared-")
		shared = attach("Patient", patient, pdf_bytes(shared_text))
		unshared = attach("Patient", patient, pdf_bytes(unshared_text))
		self.files += [shared.name, unshared.name]
		document = documents_api.share(shared.name, title)["document"]
		diagnosis, notes, vitals_note = unique("Diagnosis "), unique("Notes "), unique("Vitals note ")
		practitioner = self.clinic.practitioner("Probe")
		encounter = self.clinic.encounter(
			patient, practitioner, today(), diagnoses=[diagnosis], drugs=[unique("Tablet ")]
		)
		# The practitioner's own notes (the encounter's Notes tab): no login sees them.
		self.clinic.clinical_note(encounter, notes)
		vitals = self.clinic.vital_signs(patient, today(), encounter=encounter, vital_signs_note=vitals_note)
		extra = {
			"invoices": invoices,
			"documents": [document],
			"files": [(shared.name, shared.file_url), (unshared.name, unshared.file_url)],
			"clinical": [("Vital Signs", vitals.name), ("Patient Encounter", encounter.name)],
		}
		return (
			records,
			[value, doctor, drug, form_title, amount, title, shared_text, diagnosis],
			[draft_value, draft_amount, unshared_text, notes, vitals_note],
			[form],
			extra,
		)

	def grown_up_parents(self, patients: list[dict], child_dob: str) -> list[tuple[str, str]]:
		"""Parents of children 6 and 8, with every section, whose children then turn 18: the daily job
		ends the access to 6; 8's is ended only by the portal reading the policy (the job has not run).
		Both logins can still sign in, so the probe asks as them."""
		logins = []
		for index in (6, 8):
			name = patients[index]["name"]
			parent = {
				"first_name": "Parent",
				"last_name": "Probe",
				"email": f"{unique('parent')}@example.com",
				"relation": "Parent",
			}
			account, _invitation, key = self.invited(name, representative=parent)
			password = strong_password()
			assert accept_link(key, password=password, dob=str(child_dob))["ok"]
			permit(name, PROBED_SECTIONS)
			frappe.db.set_value("Patient", name, "dob", add_years(today(), -18))
			if index == 6:
				follow_age(account, getdate(today()), age_policy())
			user = frappe.db.get_value(ACCOUNT, account, "user")
			frappe.db.set_value("User", user, "enabled", 1)  # the sign-in works, the grant does not
			frappe.db.commit()
			self.assertEqual(portal_grants(user), [])
			logins.append((user, password))
		self.assertEqual(
			frappe.db.get_value(
				ACCOUNT,
				{"patient": patients[6]["name"], "access_type": "Authorized Representative"},
				"status",
			),
			"Suspended",
		)
		return logins

	def revoked_proxy(self, patient: str) -> tuple[str, str]:
		"""Patient 7 signs in, invites a proxy with every section, the proxy activates with the code,
		and the patient revokes it; the proxy's login is left able to sign in."""
		_account, self_user = self.active_login(patient)
		frappe.set_user(self_user)
		try:
			with JobRecorder() as jobs:
				invited = proxies_api.invite(
					first_name="Proxy",
					last_name="Probe",
					email=f"{unique('proxy')}@example.com",
					relation="Spouse or Partner",
					sections=json.dumps(PROBED_SECTIONS),
					end_date=add_days(today(), 90),
				)
			jobs.run()
		finally:
			frappe.set_user("Administrator")
		assert invited["ok"], invited
		frappe.db.commit()
		invitation = frappe.get_all(
			"Patient Portal Invitation", filters={"account": invited["account"]}, pluck="name"
		)[0]
		key = activation_key(invitation)
		assert invitation_api.verify_identity(key, code=invited["code"])["ok"]
		password = strong_password()
		assert accept_link(key, username=unique("proxy."), password=password, dob=None)["ok"]
		proxy_user = frappe.db.get_value(ACCOUNT, invited["account"], "user")
		self.assertEqual([g.patient for g in portal_grants(proxy_user)], [patient])
		frappe.set_user(self_user)
		try:
			assert proxies_api.revoke(invited["account"])["ok"]
		finally:
			frappe.set_user("Administrator")
		frappe.db.set_value("User", proxy_user, "enabled", 1)
		frappe.db.commit()
		self.assertEqual(portal_grants(proxy_user), [])
		return proxy_user, password

	def test_no_login_reaches_a_patient_it_was_not_granted(self):
		rng = random.Random(20261122)
		shared = f"{unique('family')}@example.com"
		patients = []
		# 6 and 8 are children when their parents are invited, and grow up before the probe; 7 is an
		# adult who invites a proxy and then revokes it.
		child_dob = add_years(today(), -10)
		for n in range(9):
			email = shared if n < 3 else f"{unique('p')}@example.com"
			patient = self.patient(
				email=email,
				mobile=f"+1555{rng.randint(1000000, 9999999)}",
				**({"dob": child_dob} if n in (6, 8) else {}),
			)
			records, markers, drafts, forms, extra = self.make_records(patient.name, rng)
			patients.append(
				{
					"name": patient.name,
					"email": email,
					"mobile": patient.mobile,
					"records": records,
					"markers": markers,
					"drafts": drafts,
					"forms": forms,
					**extra,
				}
			)
		logins: list[tuple[str, str]] = []
		# Own logins for patients 0, 1 and 3 (0 and 1 share an email); patient 3 is then suspended.
		for n in (0, 1, 3):
			_account, user = self.active_login(patients[n]["name"])
			permit(patients[n]["name"], PROBED_SECTIONS)
			password = strong_password()
			update_password(user, password)
			logins.append((user, password))
		account_3 = frappe.db.get_value(ACCOUNT, {"patient": patients[3]["name"]})
		management.suspend(account_3, "Probe")
		frappe.db.set_value("User", logins[-1][0], "enabled", 1)  # still able to sign in, grant suspended
		# A representative of patients 2 and 4; the grant on 4 has run out.
		rep = {
			"first_name": "Rep",
			"last_name": "Probe",
			"email": f"{unique('rep')}@example.com",
			"relation": "Carer",
		}
		username, password = unique("rep."), strong_password()
		for n, index in enumerate((2, 4)):
			_a, _i, key = self.invited(patients[index]["name"], representative=rep)
			assert accept_link(key, username=username, password=password, existing_login=n)["ok"]
			permit(patients[index]["name"], PROBED_SECTIONS)
		rep_user = frappe.db.get_value(
			ACCOUNT, {"patient": patients[2]["name"], "access_type": "Authorized Representative"}, "user"
		)
		expired = frappe.db.get_value(
			ACCOUNT, {"patient": patients[4]["name"], "access_type": "Authorized Representative"}
		)
		frappe.db.set_value(ACCOUNT, expired, "access_valid_until", add_days(today(), -1))
		logins.append((rep_user, password))
		logins += self.grown_up_parents(patients, child_dob)
		logins.append(self.revoked_proxy(patients[7]["name"]))
		# A Marley-made login for patient 5 (its email, its user_id), never granted; and one carrying the
		# shared family email.
		for email, patient in ((patients[5]["email"], patients[5]), (None, None)):
			login, login_password = (
				make_user(["Patient"], email=email, user_type="Website User")
				if email
				else make_user(["Patient"], user_type="Website User")
			)
			self.users.append(login)
			if patient:
				frappe.db.set_value("Patient", patient["name"], "user_id", login)
			logins.append((login, login_password))
		frappe.db.commit()

		requests = probes_for(patients)
		probes = leaks = seen = 0
		seen_markers: set[str] = set()
		found = []
		for user, login_password in logins:
			granted = {g.patient for g in portal_grants(user)}
			forbidden = [
				m
				for p in patients
				if p["name"] not in granted
				for m in (p["email"], p["mobile"], *p["markers"])
			]
			forbidden += [m for p in patients for m in p["drafts"]]
			# Shared emails belong to several patients: only a login granted none of them may not see it.
			forbidden = [
				m for m in forbidden if not any(m == p["email"] and p["name"] in granted for p in patients)
			]
			# A Marley-made login is named by its own address: its own name coming back is no leak.
			forbidden = [m for m in forbidden if m != user]
			own = [m for p in patients if p["name"] in granted for m in p["markers"]]

			def work(user=user, login_password=login_password):
				from frappe.app import application

				client = Client(application)
				headers = {"Host": site_name()}
				signed_in = client.post(
					"/api/method/login", data={"usr": user, "pwd": login_password}, headers=headers
				)
				assert signed_in.status_code == 200, signed_in.get_data(as_text=True)[:300]
				return [
					client.open(path, method=method, data=data, headers=headers, follow_redirects=True)
					for method, path, data in requests
				]

			for (method, path, _data), response in zip(requests, in_own_thread(work), strict=True):
				probes += 1
				body = readable(response)
				seen += sum(1 for m in own if m in body)
				seen_markers.update(m for m in own if m in body)
				hits = [m for m in forbidden if m in body]
				if hits:
					leaks += 1
					found.append(f"{user} {method} {path} -> {response.status_code}: {hits}")
		REPORT.parent.mkdir(exist_ok=True)
		REPORT.write_text(
			f"logins {len(logins)}\nprobes {probes}\nleaks {leaks}\nown markers seen {seen}\n"
			+ "\n".join(found)
			+ "\n"
		)
		self.assertEqual(leaks, 0, "\n".join(found[:20]))
		self.assertGreater(probes, 1000)
		# The probe is not blind: granted logins do see their own patients' records, every kind of them
		# (patient 0's login holds every section).
		self.assertGreater(seen, 0)
		self.assertEqual([m for m in patients[0]["markers"] if m not in seen_markers], [])
