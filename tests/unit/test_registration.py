from datetime import date

import pytest

from portal_onboarding.core.registration import (
	MAX_NAME_LENGTH,
	MAX_REJECTION_REASON,
	Candidate,
	RegistrationStatus,
	SignUpDetails,
	SignUpForm,
	WaitReason,
	check_review,
	check_sign_up,
	decide,
	is_valid_zip,
	matches,
	parse_date,
)

TODAY = date(2026, 11, 22)
R = RegistrationStatus


def good_form(**kw) -> SignUpForm:
	values = {
		"first_name": " Ana ",
		"last_name": "Lima",
		"date_of_birth": "1990-05-17",
		"home_zip": " 90210 ",
		"email": "  Ana.Lima@Example.COM ",
	}
	values.update(kw)
	return SignUpForm(**values)


def codes(reasons) -> list[str]:
	return [reason.code for reason in reasons]


def test_a_good_form_is_cleaned():
	details, reasons = check_sign_up(good_form(), TODAY)
	assert reasons == []
	assert details == SignUpDetails("Ana", "Lima", date(1990, 5, 17), "90210", "ana.lima@example.com")


def test_an_empty_form_lists_every_problem():
	_details, reasons = check_sign_up(SignUpForm(None, None, None, None, None), TODAY)
	assert codes(reasons) == [
		"first_name_missing",
		"last_name_missing",
		"dob_invalid",
		"zip_invalid",
		"email_invalid",
	]


@pytest.mark.parametrize(
	"changes, code",
	[
		({"date_of_birth": "2026-11-23"}, "dob_future"),
		({"date_of_birth": "1880-01-01"}, "dob_too_old"),
		({"date_of_birth": "17/05/1990"}, "dob_invalid"),
		({"date_of_birth": "1990-02-30"}, "dob_invalid"),
		({"home_zip": "ABCDE"}, "zip_invalid"),
		({"home_zip": "9"}, "zip_invalid"),
		({"email": "ana@"}, "email_invalid"),
		({"email": "a" * 140 + "@example.com"}, "email_invalid"),
		({"first_name": "x" * (MAX_NAME_LENGTH + 1)}, "name_length"),
	],
)
def test_bad_input_is_named(changes, code):
	details, reasons = check_sign_up(good_form(**changes), TODAY)
	assert details is None
	assert codes(reasons) == [code]


def test_today_is_a_valid_birthday():
	details, _reasons = check_sign_up(good_form(date_of_birth="2026-11-22"), TODAY)
	assert details is not None


def test_dates_and_zips():
	assert parse_date(" 1990-05-17 ") == date(1990, 5, 17)
	assert parse_date(None) is None
	assert is_valid_zip("SW1A 1AA")
	assert is_valid_zip("90210-1234")
	assert not is_valid_zip("ABCDE")
	assert not is_valid_zip(None)


DETAILS = SignUpDetails("Ana", "Lima", date(1990, 5, 17), "90210", "ana@example.com")


def candidate(name="P1", email="ANA@example.com ", zip_code="90 210", dob=date(1990, 5, 17), available=True):
	return Candidate(name, email, zip_code, dob, available)


def test_matching_ignores_case_and_spaces_but_needs_all_three():
	assert matches(DETAILS, candidate())
	assert not matches(DETAILS, candidate(email="other@example.com"))
	assert not matches(DETAILS, candidate(zip_code="10001"))
	assert not matches(DETAILS, candidate(zip_code=None))
	assert not matches(DETAILS, candidate(dob=date(1990, 5, 18)))


def test_one_available_match_with_the_setting_on_opens_that_patient():
	decision = decide(DETAILS, [candidate(), candidate("P2", email="x@example.com")], auto_enable=True)
	assert (decision.patient, decision.wait_reason) == ("P1", None)


@pytest.mark.parametrize(
	"candidates, auto_enable, reason",
	[
		([], True, WaitReason.NO_MATCH),
		([candidate("P1"), candidate("P2")], True, WaitReason.SEVERAL_MATCHES),
		([candidate()], False, WaitReason.AUTO_ENABLE_OFF),
		([candidate(available=False)], True, WaitReason.NOT_AVAILABLE),
	],
)
def test_everything_else_waits_for_staff(candidates, auto_enable, reason):
	decision = decide(DETAILS, candidates, auto_enable)
	assert (decision.patient, decision.wait_reason) == (None, reason)


@pytest.mark.parametrize(
	"status, patient, approve, reason, code",
	[
		(R.APPROVED, "P1", True, None, "already_approved"),
		(R.REJECTED, "P1", False, "no", "already_rejected"),
		(R.PENDING_VERIFICATION, None, True, None, "not_verified"),
		(R.EXPIRED, None, False, "no", "not_verified"),
		(R.AWAITING_REVIEW, None, True, None, "patient_missing"),
		(R.AWAITING_REVIEW, None, False, "  ", "reason_missing"),
		(R.AWAITING_REVIEW, None, False, "x" * (MAX_REJECTION_REASON + 1), "reason_length"),
	],
)
def test_review_refusals(status, patient, approve, reason, code):
	assert check_review(status, patient, approve, reason).code == code


def test_review_allowed():
	assert check_review(R.AWAITING_REVIEW, "P1", approve=True) is None
	assert check_review(R.AWAITING_REVIEW, None, approve=False, reason="Not our patient") is None
