"""A patient opens Medical Records in the browser: two visits newest first, each with its date,
practitioner, vital signs, diagnoses and medications; no practitioner's note; WCAG 2.1 AA; and a
printout without the portal's menu."""

from pathlib import Path

import pytest

import frappe
from frappe.utils import add_days, formatdate, getdate, today

from portal_onboarding.invitations import sending
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import SCREENSHOTS
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	make_eligible_patient,
	purge_patient,
	strong_password,
	unique,
)
from tests.integration.test_portal import ALL_SECTIONS, permit
from tests.integration.test_portal_medical_records import Clinic, release

REPORTS = Path(__file__).resolve().parents[1] / ".reports"


def assert_page_accessible(page, where: str) -> None:
	"""axe's WCAG 2.1 A/AA rules on the whole page as the patient sees it, the site's frame included."""
	assert_accessible(page, where)


@pytest.fixture
def patient_with_records(outgoing_mail):
	"""A patient whose own login holds Medical Records, with two visits the clinic recorded."""
	release("Vital Signs", "Diagnoses", "Medications")
	patient = make_eligible_patient(first_name="Lucia", last_name="Moreno")
	username, password = unique("lucia."), strong_password()
	with JobRecorder() as jobs:
		_account, invitation = sending.invite(patient.name)
		jobs.run()
	assert accept_link(activation_key(invitation.name), username=username, password=password)["ok"]
	permit(patient.name, [*ALL_SECTIONS, "Medical Records"])
	clinic = Clinic()
	marker = unique("note-")
	torres, ruiz = clinic.practitioner("Ana", "Torres"), clinic.practitioner("Bruno", "Ruiz")
	older, newer = add_days(today(), -45), add_days(today(), -6)
	first = clinic.encounter(
		patient.name,
		torres,
		older,
		["Acute bronchitis"],
		["Amoxicillin 500 mg capsule"],
		notes=f"Review in two weeks {marker}",
	)
	clinic.vital_signs(
		patient.name,
		older,
		encounter=first,
		temperature="38.2",
		pulse="92",
		respiratory_rate="20",
		bp_systolic="124",
		bp_diastolic="82",
		height=1.64,
		weight=61.5,
		vital_signs_note=f"Coughing {marker}",
	)
	second = clinic.encounter(
		patient.name,
		ruiz,
		newer,
		["Mild persistent asthma", "Allergic rhinitis"],
		["Salbutamol 100 mcg inhaler", "Budesonide 200 mcg inhaler"],
		notes=f"Check inhaler technique {marker}",
	)
	clinic.vital_signs(
		patient.name,
		newer,
		encounter=second,
		temperature="36.7",
		pulse="74",
		respiratory_rate="16",
		bp_systolic="118",
		bp_diastolic="76",
		height=1.64,
		weight=61.0,
	)
	frappe.db.commit()
	yield patient, username, password, marker, (older, torres), (newer, ruiz)
	clinic.remove()
	release("Vital Signs", "Diagnoses", "Medications")
	purge_patient(patient.name)


def test_a_patient_reads_and_prints_their_medical_records(page, base_url, patient_with_records):
	patient, username, password, marker, (older, torres), (newer, ruiz) = patient_with_records
	page.goto(f"{base_url}/login")
	page.fill("#login_email", username)
	page.fill("#login_password", password)
	page.click(".btn-login")
	page.wait_for_url("**/portal")
	page.click("[data-section='Medical Records']")
	page.wait_for_url("**/portal/medical-records")
	visits = page.locator("[data-visit]")
	visits.first.wait_for()
	assert visits.count() == 2
	newest, oldest = visits.nth(0), visits.nth(1)
	assert formatdate(getdate(newer)) in newest.locator("h2").inner_text()
	assert ruiz.practitioner_name in newest.locator("[data-practitioner]").inner_text()
	assert newest.locator("[data-diagnosis]").all_inner_texts() == [
		"Mild persistent asthma",
		"Allergic rhinitis",
	]
	assert newest.locator("[data-medication]").count() == 2
	assert "118/76 mmHg" in newest.locator("[data-vital-signs]").inner_text()
	assert formatdate(getdate(older)) in oldest.locator("h2").inner_text()
	assert torres.practitioner_name in oldest.inner_text()
	assert "Amoxicillin 500 mg capsule" in oldest.inner_text()
	assert marker not in page.content()
	page.screenshot(path=str(SCREENSHOTS / "portal-medical-records.png"), full_page=True)
	assert_page_accessible(page, "/portal/medical-records")

	# The printout: the patient's name and the records, without the portal's menu or the Print button.
	page.emulate_media(media="print")
	assert not page.locator("[data-portal-sections]").is_visible()
	assert not page.get_by_role("button", name="Print").is_visible()
	assert page.locator(".portal-medical-records p.d-print-block").inner_text() == patient.patient_name
	assert page.locator("[data-visit]").nth(1).is_visible()
	page.screenshot(path=str(REPORTS / "portal-medical-records-print.png"), full_page=True)
	page.emulate_media(media="screen")
	assert page.locator("[data-portal-sections]").is_visible()
