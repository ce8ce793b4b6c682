"""Documents shared with the patient portal, in the browser: a manager shares files from the Patient form
and from the File form by clicking, the patient finds them on the portal's Documents page (which passes
the WCAG 2.1 AA checks) and downloads one; unshared in Desk, it is gone from the portal."""

import pytest

import frappe
from frappe.utils.password import update_password

from portal_onboarding.api import documents as documents_api
from portal_onboarding.constants import ACCOUNT, DOCUMENT, MANAGER_ROLE
from portal_onboarding.invitations import portal_access, sending
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.desk import signed_in_page
from tests.e2e.test_account_management import portal_sign_in
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	delete_user,
	make_eligible_patient,
	make_user,
	purge_patient,
	strong_password,
	unique,
)
from tests.integration.test_portal import lab_test

DOCUMENTS = "/portal/documents"


def assert_page_accessible(page, where: str) -> None:
	"""axe's WCAG 2.1 A/AA rules on the whole page as the patient sees it, the site's frame included."""
	assert_accessible(page, where)


def pdf(text: str, size: int = 0) -> bytes:
	"""A PDF-like body `size` bytes long (padded like a scan), so the portal shows sizes a clinic sees."""
	head, tail = f"%PDF-1.4\n% {text}\n".encode(), b"%%EOF\n"
	return head + b"0" * max(size - len(head) - len(tail), 0) + tail


def attach(doctype: str, name: str, file_name: str, content: bytes) -> str:
	"""A private File attached as Desk's upload attaches one; returns its name."""
	return (
		frappe.get_doc(
			{
				"doctype": "File",
				"file_name": file_name,
				"attached_to_doctype": doctype,
				"attached_to_name": name,
				"is_private": 1,
				"content": content,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


@pytest.fixture
def clinic(outgoing_mail):
	"""A manager, a patient with an Active login permitting Documents, and files on the patient's records:
	two already shared, two to share by clicking, one never shared."""
	manager = make_user(["System Manager", MANAGER_ROLE])
	patient = make_eligible_patient(first_name="Lucia")
	with JobRecorder() as jobs:
		account, invitation = sending.invite(patient.name)
		jobs.run()
	username, password = unique("lucia."), strong_password()
	assert accept_link(activation_key(invitation.name), username=username)["ok"]
	portal_access.set_permitted_sections(account.name, ["Appointments", "Lab Results", "Documents"])
	update_password(frappe.db.get_value(ACCOUNT, account.name, "user"), password)
	test = lab_test(patient.name)
	tag = unique("")
	files = {
		"vaccination": attach(
			"Patient", patient.name, f"vaccination-{tag}.pdf", pdf("vaccination card", 46_000)
		),
		"referral": attach("Patient", patient.name, f"referral-{tag}.pdf", pdf("referral letter", 128_500)),
		"imaging": attach("Patient", patient.name, f"x-ray-{tag}.pdf", pdf("x-ray report", 1_850_000)),
		"lab": attach("Lab Test", test, f"lab-report-{tag}.pdf", pdf("potassium 4.1 mmol/L", 23_400)),
		"private": attach("Patient", patient.name, f"internal-note-{tag}.pdf", pdf("internal note")),
	}
	documents_api.share(files["vaccination"], "Vaccination card")
	documents_api.share(files["referral"], "Referral letter to cardiology")
	frappe.db.commit()
	yield manager, patient, (username, password), files
	frappe.db.rollback()
	for name in files.values():
		if frappe.db.exists("File", name):
			frappe.delete_doc("File", name, ignore_permissions=True, delete_permanently=True)
	frappe.db.delete(DOCUMENT, {"patient": patient.name})
	frappe.db.delete("Normal Test Result", {"parent": test})
	frappe.db.delete("Lab Test", test)
	frappe.db.commit()
	purge_patient(patient.name)
	delete_user(manager[0])


def test_a_manager_shares_by_clicking_and_the_patient_downloads_from_the_portal(browser, base_url, clinic):
	(manager_email, manager_password), patient, (username, password), files = clinic
	admin, desk = signed_in_page(browser, base_url, manager_email, manager_password)
	desk.set_viewport_size({"width": 1280, "height": 900})

	# From the Patient form: "Share a document" lists the patient's files, the title is editable.
	desk.goto(f"{base_url}/app/patient/{patient.name}")
	area = desk.locator("[data-portal-documents-wrapper]")
	area.locator("[data-portal-document]").first.wait_for()
	assert area.locator("[data-portal-document]").count() == 2
	area.locator("[data-share-document]").click()
	dialog = desk.locator(".modal.show")
	dialog.locator("select[data-fieldname='file']").select_option(files["imaging"])
	dialog.locator("input[data-fieldname='title']").fill("Chest x-ray report")
	dialog.locator("button.btn-primary", has_text="Share").click()
	area.locator("[data-portal-document]", has_text="Chest x-ray report").wait_for()

	# From the File form of a file on a lab test.
	desk.goto(f"{base_url}/app/file/{files['lab']}")
	desk.locator("button", has_text="Share with patient portal").click()
	prompt = desk.locator(".modal.show")
	prompt.locator("input[data-fieldname='title']").fill("Lab report: potassium")
	prompt.locator("button.btn-primary", has_text="Share").click()
	desk.locator(".form-message", has_text="Shared with the patient portal as").wait_for()

	desk.goto(f"{base_url}/app/patient/{patient.name}")
	area = desk.locator("[data-portal-documents-wrapper]")
	area.locator("[data-portal-document]", has_text="Lab report: potassium").wait_for()
	assert area.locator("[data-portal-document]").count() == 4
	section = desk.locator(".form-section", has=area)
	section.scroll_into_view_if_needed()
	desk.wait_for_timeout(300)
	section.screenshot(path=str(SCREENSHOTS / "patient-portal-documents.png"))

	# The patient's login sees the four, not the file never shared, and downloads one.
	person = browser.new_context(viewport={"width": 1100, "height": 800}, accept_downloads=True)
	page = person.new_page()
	page.set_default_timeout(30_000)
	portal_sign_in(page, base_url, username, password)
	page.wait_for_url("**/portal")
	page.locator(".portal-nav [data-section='Documents']").click()
	page.wait_for_url(f"**{DOCUMENTS}")
	rows = page.locator("[data-portal-documents] tbody tr")
	assert rows.count() == 4
	text = page.locator("[data-portal-documents]").inner_text()
	for title in ("Vaccination card", "Referral letter to cardiology", "Chest x-ray report", "Lab report"):
		assert title in text, title
	assert "internal-note" not in page.content()
	assert "/private/files" not in page.content()
	page.screenshot(path=str(SCREENSHOTS / "portal-documents.png"), full_page=True)
	with page.expect_download() as download:
		rows.filter(has_text="Chest x-ray report").locator("[data-download]").click()
	saved = download.value
	assert saved.suggested_filename == "Chest x-ray report.pdf"
	with open(saved.path(), "rb") as content:
		assert content.read() == pdf("x-ray report", 1_850_000)

	# Unshared in Desk: gone from the portal at once.
	desk.goto(f"{base_url}/app/patient/{patient.name}")
	row = desk.locator("[data-portal-document]", has_text="Referral letter to cardiology")
	row.locator("[data-unshare-document]").click()
	desk.locator(".modal.show button.btn-primary", has_text="Yes").click()
	row.wait_for(state="detached")
	admin.close()
	page.reload()
	assert page.locator("[data-portal-documents] tbody tr").count() == 3
	assert "Referral letter" not in page.content()
	assert_page_accessible(page, DOCUMENTS)
	person.close()
