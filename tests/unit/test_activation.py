from datetime import date

from portal_onboarding.core.activation import (
	MAX_IDENTITY_ATTEMPTS,
	IdentityAnswer,
	IdentityOnFile,
	check_identity,
	login_email,
)

DOB = date(2015, 3, 9)
ON_FILE = IdentityOnFile(DOB, "SW1A 1AA")


def test_right_answer_passes_whatever_the_zip_spacing():
	verdict = check_identity(IdentityAnswer(DOB, "sw1a1aa"), ON_FILE, 1)
	assert verdict.passed and verdict.attempts == 1 and not verdict.revoke


def test_wrong_answers_count_and_the_third_revokes():
	wrong = IdentityAnswer(date(2015, 3, 10), "SW1A 1AA")
	attempts = 0
	for expected in range(1, MAX_IDENTITY_ATTEMPTS + 1):
		verdict = check_identity(wrong, ON_FILE, attempts)
		assert not verdict.passed
		assert verdict.attempts == expected
		assert verdict.revoke == (expected == MAX_IDENTITY_ATTEMPTS)
		attempts = verdict.attempts


def test_wrong_zip_fails():
	assert not check_identity(IdentityAnswer(DOB, "SW1A 1AB"), ON_FILE, 0).passed


def test_missing_data_never_passes():
	assert not check_identity(IdentityAnswer(None, None), IdentityOnFile(None, None), 0).passed
	assert not check_identity(IdentityAnswer(DOB, ""), IdentityOnFile(DOB, ""), 0).passed
	assert not check_identity(IdentityAnswer(DOB, "x"), IdentityOnFile(None, "x"), 0).passed


def test_login_email_is_a_placeholder_that_cannot_receive_mail():
	assert login_email("jane.doe") == "jane.doe@portal.invalid"
	assert login_email("jane.doe").endswith(".invalid")
