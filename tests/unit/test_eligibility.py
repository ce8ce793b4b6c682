from datetime import date

import pytest

from portal_onboarding.core.eligibility import (
	EligibilityRules,
	PatientFacts,
	check_eligibility,
	check_invitation,
	in_person_rules,
	is_valid_email,
	normalise_zip,
)

DOB = date(1990, 5, 17)
ALL_RULES = EligibilityRules(require_email=True, require_home_zip=True, require_identity_check=True)
NO_RULES = EligibilityRules(require_email=False, require_home_zip=False, require_identity_check=False)


def codes(result):
	return [reason.code for reason in result.reasons]


def test_complete_patient_is_eligible():
	result = check_eligibility(PatientFacts("jane@example.com", "90210", DOB), ALL_RULES)
	assert result.eligible
	assert result.reasons == ()


def test_missing_everything_lists_every_reason_in_order():
	result = check_eligibility(PatientFacts(), ALL_RULES)
	assert not result.eligible
	assert codes(result) == ["email_missing", "zip_missing", "dob_missing"]
	assert [r.text() for r in result.reasons] == [
		"The patient has no email address.",
		"The patient has no home ZIP code on their primary address.",
		"The patient has no date of birth, which the identity check at activation needs.",
	]


def test_nothing_required_means_an_empty_record_is_eligible():
	assert check_eligibility(PatientFacts(), NO_RULES).eligible


def test_whitespace_counts_as_missing():
	result = check_eligibility(PatientFacts("  ", " ", DOB), ALL_RULES)
	assert codes(result) == ["email_missing", "zip_missing"]


@pytest.mark.parametrize("email", ["jane", "jane@", "@example.com", "jane@example", "ja ne@example.com"])
def test_malformed_email_is_refused_even_when_not_required(email):
	result = check_eligibility(PatientFacts(email, None, None), NO_RULES)
	assert codes(result) == ["email_invalid"]
	assert email.strip() in result.reasons[0].text()


def test_invalid_zip_is_named():
	result = check_eligibility(PatientFacts("jane@example.com", "!!", DOB), ALL_RULES)
	assert codes(result) == ["zip_invalid"]
	assert "!!" in result.reasons[0].text()


def test_identity_check_needs_a_zip_even_when_zip_is_not_required():
	rules = EligibilityRules(require_email=True, require_home_zip=False, require_identity_check=True)
	result = check_eligibility(PatientFacts("jane@example.com", None, DOB), rules)
	assert codes(result) == ["zip_missing"]


def test_zip_only_required_without_identity_check_ignores_dob():
	rules = EligibilityRules(require_email=False, require_home_zip=True, require_identity_check=False)
	assert check_eligibility(PatientFacts(None, "SW1A 1AA", None), rules).eligible


def test_email_helpers():
	assert is_valid_email(" jane.doe+clinic@example.co.uk ")
	assert not is_valid_email("jane@@example.com")
	assert normalise_zip(" sw1a-1aa ") == "SW1A1AA"
	assert normalise_zip(None) == ""


def test_emails_are_compared_trimmed_and_in_lower_case():
	from portal_onboarding.core.eligibility import email_changed, normalise_email

	assert normalise_email("  Ana@Example.COM ") == "ana@example.com"
	assert normalise_email("  ") is None
	assert normalise_email(None) is None
	assert not email_changed("ana@example.com", " ANA@example.com ")
	assert email_changed("ana@example.com", "ana2@example.com")
	assert email_changed("ana@example.com", None)
	assert not email_changed(None, "")


def test_in_person_needs_no_email_and_keeps_the_zip_and_identity_rules():
	rules = in_person_rules(ALL_RULES)
	assert ALL_RULES.require_email, "the settings' own rules are left as they are"
	assert check_eligibility(PatientFacts(None, "90210", DOB), rules).eligible
	assert codes(check_eligibility(PatientFacts(), rules)) == ["zip_missing", "dob_missing"]
	assert codes(check_eligibility(PatientFacts("jane@", "90210", DOB), rules)) == ["email_invalid"]
	assert in_person_rules(NO_RULES) == NO_RULES


def test_a_refused_invitation_without_email_says_how_to_do_without_one():
	result = check_invitation(PatientFacts(None, "90210", DOB), ALL_RULES)
	assert codes(result) == ["email_missing", "in_person_hint"]
	assert "Set credentials" in result.reasons[1].text()
	assert codes(check_invitation(PatientFacts("jane@", None, DOB), ALL_RULES)) == [
		"email_invalid",
		"zip_missing",
	]
	assert check_invitation(PatientFacts("jane@example.com", "90210", DOB), ALL_RULES).eligible
