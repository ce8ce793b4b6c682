"""The Medical Records page over real requests: records made the clinic's way (a practitioner submits
encounters, a nurse submits vital signs), shown by visit newest first, only the types the clinic
releases, never a draft, a cancelled record, another patient's record or the practitioner's notes."""

import re
from itertools import pairwise
from typing import Any

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, formatdate, getdate, today

from portal_onboarding.constants import SECTION, SETTINGS
from portal_onboarding.core.medical_records import DEFAULT_RELEASED, RELEASE_FIELDS, RecordType
from portal_onboarding.patches.v0_8 import medical_records_defaults
from tests.integration.factories import delete_user, ensure_gender, make_user, unique
from tests.integration.test_portal import ALL_SECTIONS, PortalCase, permit

PAGE = "/portal/medical-records"
WITH_RECORDS = [*ALL_SECTIONS, "Medical Records"]


def company() -> str:
	return frappe.defaults.get_global_default("company") or frappe.get_all("Company", pluck="name")[0]


class Clinic:
	"""Marley's records made as the clinic's staff make them, each through its controller, all removed
	again by `remove` (they are committed for the portal's requests to see)."""

	def __init__(self) -> None:
		self.made: list[tuple[str, str]] = []
		self.physician = make_user(["Physician"], first_name="Physician")[0]
		self.nurse = make_user(["Nursing User"], first_name="Nurse")[0]
		frappe.db.commit()

	def _keep(self, doc: Any) -> Any:
		self.made.append((doc.doctype, doc.name))
		return doc

	def as_user(self, user: str, make) -> Any:
		frappe.set_user(user)
		try:
			return make()
		finally:
			frappe.set_user("Administrator")

	def practitioner(self, first_name: str, last_name: str | None = None) -> Any:
		"""A Healthcare Practitioner, as the clinic's administrator adds one."""
		doc = frappe.get_doc(
			{
				"doctype": "Healthcare Practitioner",
				"first_name": first_name,
				"last_name": last_name or unique("Dr"),
				"gender": ensure_gender(),
			}
		)
		return self._keep(doc.insert())

	def diagnosis(self, text: str) -> str:
		"""The Diagnosis master record (named by its text), added unless the clinic has it already."""
		if frappe.db.exists("Diagnosis", text):
			return text
		return self._keep(frappe.get_doc({"doctype": "Diagnosis", "diagnosis": text}).insert()).name

	def drug(self, name: str) -> str:
		"""A drug Item, as the clinic's stock keeper adds one."""
		item = frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": unique("DRUG-"),
				"item_name": name,
				"item_group": "Drug",
				"stock_uom": "Nos",
				"is_stock_item": 0,
			}
		)
		return self._keep(item.insert()).name

	def encounter(
		self,
		patient: str,
		practitioner: Any,
		day: str,
		diagnoses: list[str],
		drugs: list[str],
		notes: str = "",
		submit: bool = True,
	) -> Any:
		"""A Patient Encounter the practitioner saves and (unless `submit` is false) submits; the
		diagnoses and drugs it names are the clinic's master data, added beforehand."""
		diagnosis_names = [self.diagnosis(text) for text in diagnoses]
		drug_codes = [self.drug(name) for name in drugs]

		def make() -> Any:
			doc = frappe.get_doc(
				{
					"doctype": "Patient Encounter",
					"patient": patient,
					"practitioner": practitioner.name,
					"company": company(),
					"encounter_date": day,
					"encounter_time": "10:30:00",
					"encounter_comment": notes,
					"diagnosis": [{"diagnosis": name} for name in diagnosis_names],
					"drug_prescription": [
						{
							"drug_code": code,
							"dosage": "BID",
							"period": "5 Day",
							"dosage_form": "Tablet",
							"comment": f"{notes} (comment)" if notes else "",
						}
						for code in drug_codes
					],
				}
			)
			doc.insert()
			if submit:
				doc.submit()
			return doc

		return self._keep(self.as_user(self.physician, make))

	def clinical_note(self, encounter: Any, note: str) -> None:
		"""A note added from the encounter's Notes tab (Marley lets System Managers write them)."""
		encounter.add_clinical_note(note)
		self.made.append(("Clinical Note", frappe.get_all("Clinical Note", {"note": note}, pluck="name")[0]))

	def vital_signs(
		self, patient: str, day: str, encounter: Any = None, submit: bool = True, **values: Any
	) -> Any:
		"""Vital Signs the nurse records (from the encounter's Vital Signs button when one is given).
		Marley's form fills in the blood pressure and BMI in the browser; they are filled as it does."""
		values.setdefault("bp_systolic", "120")
		values.setdefault("bp_diastolic", "80")
		values.setdefault("height", 1.70)
		values.setdefault("weight", 65.0)
		values["bp"] = f"{values['bp_systolic']}/{values['bp_diastolic']} mmHg"
		values["bmi"] = round(values["weight"] / (values["height"] * values["height"]), 2)

		def make() -> Any:
			doc = frappe.get_doc(
				{
					"doctype": "Vital Signs",
					"patient": patient,
					"encounter": encounter.name if encounter else None,
					"company": company(),
					"signs_date": day,
					"signs_time": "10:00:00",
					**values,
				}
			)
			doc.insert()
			if submit:
				doc.submit()
			return doc

		return self._keep(self.as_user(self.nurse, make))

	def procedure(self, patient: str, practitioner: Any, day: str, complete: bool = True) -> Any:
		"""A Clinical Procedure the practitioner submits, starts and (unless told not to) completes."""
		template = self.procedure_template()

		def make() -> Any:
			doc = frappe.get_doc(
				{
					"doctype": "Clinical Procedure",
					"patient": patient,
					"practitioner": practitioner.name,
					"procedure_template": template,
					"company": company(),
					"start_date": day,
					"start_time": "11:00:00",
					"notes": "procedure notes are the practitioner's",
				}
			)
			doc.insert()
			doc.submit()
			doc.start_procedure()
			if complete:
				doc.complete_procedure()
			return doc

		return self._keep(self.as_user(self.physician, make))

	def procedure_template(self) -> str:
		template = frappe.get_doc(
			{
				"doctype": "Clinical Procedure Template",
				"template": unique("Spirometry "),
				"item_code": unique("SPIRO-"),
				"item_group": "Services",
				"description": "Lung function test",
			}
		).insert()
		self.made.append(("Item", template.item))
		return self._keep(template).name

	def remove(self) -> None:
		frappe.db.rollback()
		frappe.set_user("Administrator")
		names = [name for _doctype, name in self.made]
		for order in ("Medication Request", "Service Request"):
			frappe.db.delete(order, {"order_group": ("in", names or [""])})
		frappe.db.delete("Patient Medical Record", {"reference_name": ("in", names or [""])})
		frappe.db.delete("Version", {"docname": ("in", names or [""])})
		items = [name for doctype, name in self.made if doctype == "Item"]
		frappe.db.delete("Item Price", {"item_code": ("in", items or [""])})
		for doctype, name in reversed(self.made):
			for table in frappe.get_meta(doctype).get_table_fields():
				frappe.db.delete(table.options, {"parent": name, "parenttype": doctype})
			frappe.db.delete(doctype, {"name": name})
		frappe.db.commit()
		for user in (self.physician, self.nurse):
			delete_user(user)


def release(*kinds: str) -> None:
	"""Portal Onboarding Settings, as an admin saves them: exactly these record types released."""
	settings = frappe.get_single(SETTINGS)
	settings.update({fieldname: int(kind in kinds) for kind, fieldname in RELEASE_FIELDS.items()})
	settings.save()
	frappe.db.commit()


def text(response) -> str:
	return response.get_data(as_text=True)


def main(response) -> str:
	"""The page's own content, without the site's navbar, footer and boot data."""
	html = text(response)
	start = html.find('<div class="portal-medical-records">')
	assert start >= 0, html[-600:]
	return html[start : html.index('<div class="page-footer">', start)]


def visits(html: str) -> list[str]:
	"""The page's visit sections, in page order."""
	return re.findall(r'<section [^>]*data-visit="[^"]*">(.*?)</section>', html, re.S)


class MedicalRecordsCase(PortalCase):
	def setUp(self):
		super().setUp()
		self.clinic = Clinic()
		release(*DEFAULT_RELEASED)

	def tearDown(self):
		try:
			self.clinic.remove()
			release(*DEFAULT_RELEASED)
		finally:
			super().tearDown()

	def login_with_records(self, patient: str, sections: list[str] = WITH_RECORDS) -> tuple[str, str, str]:
		account, user, password = self.login_with_password(patient)
		permit(patient, sections)
		return account, user, password

	def page(self, user: str, password: str, path: str = PAGE) -> Any:
		(response,) = self.get(user, password, [("GET", path, None)])
		return response


class TestMedicalRecordsPage(MedicalRecordsCase):
	def test_a_patient_sees_released_records_by_visit_newest_first_and_nothing_else(self):
		own, bystander = self.patient(), self.patient()
		_account, user, password = self.login_with_records(own.name)
		_b_account, b_user, b_password = self.login_with_records(bystander.name)
		marker = unique("secret-")
		torres, ruiz = self.clinic.practitioner("Ana"), self.clinic.practitioner("Bruno")
		older, newer = add_days(today(), -40), add_days(today(), -3)
		first = self.clinic.encounter(
			own.name, torres, older, ["Acute bronchitis"], ["Amoxicillin 500 mg"], notes=f"{marker}-review"
		)
		self.clinic.clinical_note(first, f"{marker}-clinical-note")
		self.clinic.vital_signs(
			own.name,
			older,
			encounter=first,
			temperature="38.4",
			pulse="96",
			vital_signs_note=f"{marker}-nurse",
			nutrition_note=f"{marker}-nutrition",
		)
		second = self.clinic.encounter(
			own.name, ruiz, newer, ["Mild persistent asthma"], ["Salbutamol inhaler", "Budesonide inhaler"]
		)
		self.clinic.vital_signs(own.name, newer, encounter=second, temperature="36.8", pulse="71")
		# Taken at the front desk between the two visits, with no encounter.
		self.clinic.vital_signs(own.name, add_days(today(), -10), temperature="37.0", pulse="64")
		# Never shown: a draft, a cancelled encounter, draft and cancelled vital signs, a bystander's.
		self.clinic.encounter(own.name, ruiz, newer, [f"{marker} draft dx"], [], submit=False)
		cancelled = self.clinic.encounter(own.name, ruiz, newer, [f"{marker} cancelled dx"], [])
		self.clinic.as_user(self.clinic.physician, cancelled.cancel)
		self.clinic.vital_signs(own.name, newer, temperature="41.9", submit=False)
		# Cancelled by the practitioner (Marley's cancel also removes its Patient Medical Record copy).
		self.clinic.as_user(
			self.clinic.physician, self.clinic.vital_signs(own.name, newer, temperature="35.1").cancel
		)
		stranger = self.clinic.practitioner("Celia")
		theirs = self.clinic.encounter(
			bystander.name, stranger, newer, [f"{marker} bystander dx"], ["Bystander Drug"]
		)
		self.clinic.vital_signs(bystander.name, newer, encounter=theirs, temperature="39.9")
		frappe.db.commit()

		response = self.page(user, password)
		self.assertEqual(response.status_code, 200, text(response)[-600:])
		self.assertFalse(marker in text(response), marker)
		html = main(response)
		for hidden in (
			"41.9",
			"35.1",
			"39.9",
			"Bystander Drug",
			stranger.practitioner_name,
			bystander.patient_name,
		):
			self.assertFalse(hidden in html, hidden)
		self.assertTrue('data-section="Medical Records"' in html, 'data-section="Medical Records"')
		newest, front_desk, oldest = visits(html)
		self.assertTrue(formatdate(getdate(newer)) in newest, formatdate(getdate(newer)))
		self.assertTrue(ruiz.practitioner_name in newest, ruiz.practitioner_name)
		for shown in ("Mild persistent asthma", "Salbutamol inhaler", "Budesonide inhaler", "36.8", "71"):
			self.assertTrue(shown in newest, shown)
		self.assertTrue("120/80 mmHg" in newest, "120/80 mmHg")
		front_desk_day = formatdate(getdate(add_days(today(), -10)))
		self.assertTrue(front_desk_day in front_desk, front_desk_day)
		self.assertTrue("37.0" in front_desk, "37.0")
		self.assertFalse(
			"data-practitioner" in front_desk, "data-practitioner"
		)  # no practitioner recorded it
		self.assertTrue(formatdate(getdate(older)) in oldest, formatdate(getdate(older)))
		self.assertTrue(torres.practitioner_name in oldest, torres.practitioner_name)
		for shown in ("Acute bronchitis", "Amoxicillin 500 mg", "38.4", "96", "22.5"):
			self.assertTrue(shown in oldest, shown)
		self.assertFalse("Mild persistent asthma" in oldest, "Mild persistent asthma")
		# Headings in order, for screen readers: h1, then h2 per visit, h3 per record type.
		levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
		self.assertEqual(levels[0], 1)
		self.assertTrue(all(b - a <= 1 for a, b in pairwise(levels)), levels)

		# The bystander's own login sees the bystander's records, and none of the patient's.
		theirs_page = main(self.page(b_user, b_password))
		self.assertTrue(f"{marker} bystander dx" in theirs_page, f"{marker} bystander dx")
		self.assertFalse("Acute bronchitis" in theirs_page, "Acute bronchitis")
		self.assertFalse(own.patient_name in theirs_page, own.patient_name)

	def test_the_settings_decide_which_record_types_appear(self):
		patient = self.patient()
		_account, user, password = self.login_with_records(patient.name)
		doctor = self.clinic.practitioner("Dora")
		day = add_days(today(), -5)
		encounter = self.clinic.encounter(
			patient.name, doctor, day, ["Type 2 diabetes"], ["Metformin 850 mg"]
		)
		self.clinic.vital_signs(patient.name, day, encounter=encounter, temperature="36.6")
		done = self.clinic.procedure(patient.name, doctor, add_days(today(), -2))
		pending = self.clinic.procedure(patient.name, doctor, add_days(today(), -1), complete=False)
		frappe.db.set_value(
			"Patient",
			patient.name,
			{
				"allergies": "Penicillin\nLatex",
				"medical_history": "Appendicitis in 2009",
				"surgical_history": "",
			},
		)
		frappe.db.commit()
		template = done.procedure_template

		defaults = main(self.page(user, password))
		for shown in ("Type 2 diabetes", "Metformin 850 mg", "36.6"):
			self.assertTrue(shown in defaults, shown)
		for hidden in (template, "Penicillin", "Appendicitis", "data-medical-history"):
			self.assertFalse(hidden in defaults, hidden)

		release(
			RecordType.DIAGNOSES,
			RecordType.CLINICAL_PROCEDURES,
			RecordType.ALLERGIES,
			RecordType.MEDICAL_HISTORY,
		)
		chosen = main(self.page(user, password))
		for shown in ("Type 2 diabetes", template, "Penicillin", "Latex", "Appendicitis in 2009"):
			self.assertTrue(shown in chosen, shown)
		self.assertTrue(
			"Your clinic has not shared a surgical history for this patient." in chosen,
			"Your clinic has not shared a surgical history for this patient.",
		)
		for hidden in ("Metformin", "36.6", 'data-record-type="Vital Signs"', pending.procedure_template):
			self.assertFalse(hidden in chosen, hidden)
		self.assertEqual(chosen.count("data-procedure"), 1, "a procedure not yet completed is not shown")

		release()
		nothing = main(self.page(user, password))
		self.assertTrue(
			"Your clinic does not share medical records on the portal yet." in nothing,
			"Your clinic does not share medical records on the portal yet.",
		)
		self.assertFalse("Type 2 diabetes" in nothing, "Type 2 diabetes")
		self.assertFalse("data-visit" in nothing, "data-visit")

	def test_a_patient_with_nothing_released_yet_is_told_so(self):
		patient = self.patient()
		_account, user, password = self.login_with_records(patient.name)
		# Only a draft: what the practitioner has not submitted is not released.
		self.clinic.encounter(
			patient.name, self.clinic.practitioner("Eva"), today(), ["Migraine"], [], submit=False
		)
		frappe.db.commit()
		html = main(self.page(user, password))
		self.assertTrue(
			"Your clinic has not released any medical records for this patient yet." in html,
			"Your clinic has not released any medical records for this patient yet.",
		)
		self.assertIn("Your clinic shares these records here: Vital signs, Diagnoses, Medications.", html)
		self.assertFalse("Migraine" in html, "Migraine")
		self.assertFalse("window.print()" in html, "window.print()")

	def test_a_login_without_the_section_is_refused_by_url(self):
		patient, other = self.patient(), self.patient()
		account, user, password = self.login_with_records(patient.name, ALL_SECTIONS)
		_other_account, other_user, other_password = self.login_with_records(other.name)
		encounter = self.clinic.encounter(
			patient.name, self.clinic.practitioner("Fran"), today(), ["Gastritis"], ["Omeprazole 20 mg"]
		)
		self.assertTrue(encounter.name)
		frappe.db.commit()
		self.assertFalse(frappe.db.exists(SECTION, {"parent": account, "portal_section": "Medical Records"}))
		home, refused = self.get(user, password, [("GET", "/portal", None), ("GET", PAGE, None)])
		self.assertEqual(refused.status_code, 403)
		self.assertFalse("Gastritis" in text(refused), "Gastritis")
		self.assertFalse('data-section="Medical Records"' in text(home), "the section is not in the menu")
		# The bystander login that holds the section still gets its page, with none of this patient.
		allowed = self.page(other_user, other_password)
		self.assertEqual(allowed.status_code, 200)
		self.assertFalse("Gastritis" in text(allowed), "Gastritis")


class TestMedicalRecordsInSpanish(MedicalRecordsCase):
	def test_labels_and_empty_states_follow_the_logins_language(self):
		patient = self.patient()
		_account, user, password = self.login_with_records(patient.name)
		day = add_days(today(), -7)
		encounter = self.clinic.encounter(
			patient.name, self.clinic.practitioner("Gema"), day, ["Faringitis"], ["Ibuprofeno 400 mg"]
		)
		self.clinic.vital_signs(patient.name, day, encounter=encounter, temperature="37.5")
		frappe.db.set_value("User", user, "language", "es")
		frappe.db.commit()
		html = main(self.page(user, password))
		for spanish in (
			"Historial médico",
			"Visita del",
			"Signos vitales",
			"Diagnósticos",
			"Medicamentos",
			"Presión arterial",
			"Imprimir",
			"Su clínica comparte aquí estos datos: Signos vitales, Diagnósticos, Medicamentos.",
		):
			self.assertTrue(spanish in html, spanish)
		self.assertFalse("Vital signs" in html, "Vital signs")
		self.assertTrue(formatdate(getdate(day)) in html, formatdate(getdate(day)))  # the site's date format

		release()
		self.assertIn(
			"Su clínica todavía no comparte historiales médicos en el portal.",
			main(self.page(user, password)),
		)


class TestMedicalRecordsDefaultsPatch(FrappeTestCase):
	def test_the_patch_gives_an_upgraded_site_the_defaults_and_keeps_a_clinics_choice(self):
		fields = list(RELEASE_FIELDS.values())
		frappe.db.delete("Singles", {"doctype": SETTINGS, "field": ("in", fields)})
		frappe.db.set_single_value(SETTINGS, "release_medications", 0)  # chosen before the patch runs
		medical_records_defaults.execute()
		stored = {field: frappe.db.get_single_value(SETTINGS, field) for field in fields}
		self.assertEqual(
			stored,
			{
				"release_vital_signs": 1,
				"release_diagnoses": 1,
				"release_medications": 0,
				"release_clinical_procedures": 0,
				"release_allergies": 0,
				"release_medical_history": 0,
			},
		)
		frappe.db.rollback()
