import json
from pathlib import Path

import pytest

from portal_onboarding.constants import PORTAL_SECTIONS
from portal_onboarding.core.portal import (
	SECTION_ROUTES,
	Grant,
	choose_patient,
	out_of_range,
	section_allowed,
	visible_sections,
)

SECTION_DOCTYPE = (
	Path(__file__).resolve().parents[2]
	/ "portal_onboarding/portal_onboarding/doctype/patient_portal_section/patient_portal_section.json"
)
CHILD_A = Grant("PAT-A", frozenset({"Appointments", "Lab Results"}))
CHILD_B = Grant("PAT-B", frozenset({"Prescriptions"}))


def test_the_chosen_patient_must_be_granted():
	grants = [CHILD_A, CHILD_B]
	assert choose_patient(grants, "PAT-B", None) == CHILD_B
	assert choose_patient(grants, None, "PAT-B") == CHILD_B
	assert choose_patient(grants, "PAT-OTHER", "PAT-B") == CHILD_B
	assert choose_patient(grants, "PAT-OTHER", "PAT-GONE") == CHILD_A
	assert choose_patient([], "PAT-A", "PAT-A") is None


def test_sections_follow_the_grant():
	assert visible_sections(CHILD_A) == [("Appointments", "appointments"), ("Lab Results", "lab-results")]
	assert visible_sections(None) == []
	assert section_allowed(CHILD_A, "Lab Results")
	assert not section_allowed(CHILD_B, "Lab Results")
	assert section_allowed(Grant("X", frozenset({"Invoices"})), "Invoices")
	assert not section_allowed(Grant("X", frozenset({"Billing"})), "Billing")  # no page for it
	assert not section_allowed(None, "Appointments")


@pytest.mark.parametrize(
	"value,normal_range,marked",
	[
		("4.2", "3.5 - 5.0", False),
		("5.1", "3.5 - 5.0", True),
		("3,4", "3,5 - 5,0", True),
		("12", "10 to 20", False),
		("250", "< 200", True),
		("150", "<= 200", False),
		("30", "> 40", True),
		("Negative", "Negative", False),
		("4", "", False),
		(None, "1 - 2", False),
		("4", "see comment", False),
	],
)
def test_out_of_range_values_are_marked(value, normal_range, marked):
	assert out_of_range(value, normal_range) is marked


def test_every_section_an_account_can_be_given_has_a_page():
	# The account's and the settings' choices are the sections the portal shows, in the same order.
	assert tuple(SECTION_ROUTES) == PORTAL_SECTIONS
	doctype = json.loads(SECTION_DOCTYPE.read_text())
	(field,) = [f for f in doctype["fields"] if f["fieldname"] == "portal_section"]
	assert tuple(field["options"].split("\n")) == PORTAL_SECTIONS
	assert len(set(SECTION_ROUTES.values())) == len(SECTION_ROUTES)
