from datetime import date

from portal_onboarding.core.activation import (
	MAX_IDENTITY_ATTEMPTS,
	IdentityAnswer,
	IdentityOnFile,
	LoginFacts,
	check_identity,
	is_placeholder_email,
	login_email,
	reusable_login,
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


def login(name="u", email="pat@example.com", website_user=True, other_accounts=0):
	return LoginFacts(name=name, email=email, website_user=website_user, other_accounts=other_accounts)


class TestReusableLogin:
	def test_no_candidates_means_a_new_login(self):
		assert reusable_login(None, None, "pat@example.com") is None

	def test_the_apps_own_login_on_this_account_is_reused(self):
		own = login("own", "jane.doe@portal.invalid")
		assert reusable_login(own, None, "someone@example.com") == "own"

	def test_a_login_that_reaches_other_patients_is_never_handed_over(self):
		shared = login("own", "parent@portal.invalid", other_accounts=2)
		assert reusable_login(shared, None, "someone@example.com") is None
		assert reusable_login(login("own", other_accounts=1), None, "pat@example.com") is None

	def test_own_login_with_the_invited_address_is_reused(self):
		assert reusable_login(login("own", "Pat@Example.com "), None, "pat@example.com") == "own"

	def test_own_login_with_another_real_address_is_not_reused(self):
		assert reusable_login(login("own", "other@example.com"), None, "pat@example.com") is None

	def test_marley_login_for_the_invited_address_is_reused(self):
		assert reusable_login(None, login("marley"), "pat@example.com") == "marley"

	def test_marley_login_for_another_address_is_not_reused(self):
		assert reusable_login(None, login("marley", "nurse@example.com"), "pat@example.com") is None

	def test_marley_login_another_account_uses_is_not_reused(self):
		assert reusable_login(None, login("marley", other_accounts=1), "pat@example.com") is None

	def test_another_familys_portal_login_is_never_taken_through_user_id(self):
		family = login("family", "family.login@portal.invalid")
		assert reusable_login(None, family, "family.login@portal.invalid") is None

	def test_desk_logins_are_never_reused(self):
		staff = login("staff", website_user=False)
		assert reusable_login(staff, staff, "pat@example.com") is None

	def test_no_invited_address_reuses_no_marley_login(self):
		assert reusable_login(None, login("marley", ""), "") is None


def test_placeholder_emails_are_recognised():
	assert is_placeholder_email("Jane@PORTAL.invalid ")
	assert not is_placeholder_email("jane@portal.invalid.example.com")
	assert not is_placeholder_email(None)
