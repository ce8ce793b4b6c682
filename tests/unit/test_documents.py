import pytest

from portal_onboarding.core.documents import (
	CLINICAL_RECORDS,
	MAX_FILENAME,
	MAX_TITLE,
	Attachment,
	check_share,
	clean_title,
	download_filename,
	human_size,
	is_shareable_doctype,
)


def attachment(**kw) -> Attachment:
	values = {
		"is_folder": False,
		"attached_to_doctype": "Patient Encounter",
		"attached_to_name": "HLC-ENC-2026-00001",
		"record_exists": True,
		"record_patient": "PID-00001",
		"record_docstatus": 1,
	}
	values.update(kw)
	return Attachment(**values)


def codes(a: Attachment) -> list[str]:
	return [reason.code for reason in check_share(a)]


def test_a_file_on_a_patient_or_a_clinical_record_of_a_patient_may_be_shared():
	assert codes(attachment()) == []
	assert (
		codes(attachment(attached_to_doctype="Patient", attached_to_name="PID-1", record_docstatus=0)) == []
	)
	for doctype in CLINICAL_RECORDS:
		assert codes(attachment(attached_to_doctype=doctype, record_docstatus=0)) == [], doctype


@pytest.mark.parametrize(
	"kw, code",
	[
		({"is_folder": True}, "folder"),
		({"attached_to_doctype": None, "attached_to_name": None}, "not_attached"),
		({"attached_to_name": ""}, "not_attached"),
		({"attached_to_doctype": "Sales Invoice"}, "not_clinical"),
		({"attached_to_doctype": "Patient Portal Account"}, "not_clinical"),
		({"attached_to_doctype": "Nursing Task"}, "not_clinical"),
		({"record_exists": False, "record_patient": None}, "record_missing"),
		({"record_patient": None}, "no_patient"),
		({"record_docstatus": 2}, "cancelled"),
	],
)
def test_anything_else_is_refused_with_one_clear_reason(kw, code):
	assert codes(attachment(**kw)) == [code]


def test_the_refusal_for_another_doctype_names_what_can_be_shared():
	(reason,) = check_share(attachment(attached_to_doctype="Sales Invoice"))
	text = reason.text()
	assert "Sales Invoice" in text
	assert "Patient Encounter" in text and "Lab Test" in text


def test_shareable_doctypes():
	assert is_shareable_doctype("Patient")
	assert is_shareable_doctype("Lab Test")
	assert not is_shareable_doctype("File")
	assert not is_shareable_doctype(None)


def test_titles_fall_back_to_the_file_name_and_are_tidied():
	assert clean_title("  Blood   test\nresults ", "x.pdf") == "Blood test results"
	assert clean_title(None, "scan 01.pdf") == "scan 01.pdf"
	assert clean_title(" ", "") == "Document"
	assert len(clean_title("a" * 500, None)) == MAX_TITLE


@pytest.mark.parametrize(
	"size, text",
	[
		(None, "0 B"),
		(0, "0 B"),
		(512, "512 B"),
		(1023, "1023 B"),
		(1024, "1 KB"),
		(1536, "1.5 KB"),
		(20 * 1024, "20 KB"),
		(2_500_000, "2.4 MB"),
		(15 * 1024 * 1024, "15 MB"),
		(3 * 1024**3, "3 GB"),
	],
)
def test_human_size(size, text):
	assert human_size(size) == text


def test_human_size_in_a_language_with_a_decimal_comma():
	assert human_size(1536, ",") == "1,5 KB"


@pytest.mark.parametrize(
	"title, file_name, expected",
	[
		("Blood test results", "a1b2c3.pdf", "Blood test results.pdf"),
		("Informe de análisis", "scan.PDF", "Informe de analisis.pdf"),
		("Report.pdf", "report.pdf", "Report.pdf"),
		("../../etc/passwd", "x.txt", "etc_passwd.txt"),
		('quote" and; semicolon', "x.png", "quote_ and_ semicolon.png"),
		("", "x.jpg", "document.jpg"),
		("Notes", "no-extension", "Notes"),
		("Notes", None, "Notes"),
		("日本語", "a.pdf", "document.pdf"),
	],
)
def test_download_filenames_are_plain_and_keep_the_extension(title, file_name, expected):
	assert download_filename(title, file_name) == expected


def test_download_filenames_are_bounded():
	name = download_filename("x" * 500, "f.pdf")
	assert len(name) == MAX_FILENAME
	assert name.endswith(".pdf")
