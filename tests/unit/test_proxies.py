from datetime import date

import pytest

from portal_onboarding.constants import AccountStatus
from portal_onboarding.core.proxies import (
	ACCESS_ENDED,
	CODE_ALPHABET,
	CODE_LENGTH,
	PERSON_STATUS,
	ProxyChoice,
	check_code,
	choice_problems,
	end_change_problem,
	format_code,
	is_renewal,
	new_proxy_code,
	normalise_code,
	person_status,
)

DAY = date(2026, 3, 10)


def test_codes_come_from_the_unambiguous_alphabet_and_differ():
	codes = {new_proxy_code() for _ in range(200)}
	assert len(codes) == 200
	for code in codes:
		assert len(code) == CODE_LENGTH
		assert set(code) <= set(CODE_ALPHABET)
	assert not set("01OIL") & set(CODE_ALPHABET)


def test_a_code_is_shown_in_two_halves_and_typed_any_way():
	assert format_code("K7QM3TXP") == "K7QM-3TXP"
	assert format_code("k7qm-3txp") == "K7QM-3TXP"
	assert format_code("") == ""
	assert normalise_code(" k7qm - 3txp ") == "K7QM3TXP"
	assert normalise_code(None) == ""


@pytest.mark.parametrize("typed", ["K7QM3TXP", "k7qm-3txp", " K7QM 3TXP ", "K7QM\u20133TXP"])
def test_the_right_code_passes_however_it_is_written(typed):
	verdict = check_code(typed, "K7QM3TXP", 1)
	assert verdict.passed and verdict.attempts == 1 and not verdict.revoke


def test_wrong_codes_are_counted_and_the_third_revokes():
	first = check_code("K7QM3TXQ", "K7QM3TXP", 0)
	assert (first.passed, first.attempts, first.revoke) == (False, 1, False)
	third = check_code("", "K7QM3TXP", 2)
	assert (third.passed, third.attempts, third.revoke) == (False, 3, True)


@pytest.mark.parametrize("on_file", [None, "", "--"])
def test_no_code_on_file_never_passes(on_file):
	assert not check_code("", on_file, 0).passed
	assert not check_code("anything", on_file, 0).passed


def test_a_choice_needs_a_known_section_and_an_end_date_within_the_maximum():
	ok = ProxyChoice(("Appointments", "Invoices"), date(2027, 3, 10))
	assert choice_problems(ok, DAY, 18) == []
	codes = [r.code for r in choice_problems(ProxyChoice((), None), DAY, 18)]
	assert codes == ["sections_missing", "proxy_end_missing"]
	codes = [r.code for r in choice_problems(ProxyChoice(("Secrets",), date(2028, 1, 1)), DAY, 18)]
	assert codes == ["sections", "proxy_end_too_late"]
	assert [r.code for r in choice_problems(ProxyChoice(("Forms", "Forms"), DAY), DAY, 18)] == [
		"sections",
		"proxy_end_past",
	]
	# The date already stored is not checked again when only the sections change.
	assert choice_problems(ProxyChoice(("Forms",), date(2030, 1, 1)), DAY, 18, check_end=False) == []


@pytest.mark.parametrize(
	("before", "after", "renewal"),
	[
		(date(2026, 6, 1), date(2026, 7, 1), True),
		(date(2026, 6, 1), None, True),
		(date(2026, 6, 1), date(2026, 6, 1), False),
		(date(2026, 6, 1), date(2026, 5, 1), False),
		(None, date(2026, 5, 1), False),
		(None, None, False),
	],
)
def test_a_renewal_gives_more_time(before, after, renewal):
	assert is_renewal(before, after) is renewal


def test_only_the_patient_renews_anyone_may_shorten_and_the_maximum_holds_for_all():
	before, later, earlier = date(2026, 6, 1), date(2027, 1, 1), date(2026, 4, 1)
	assert end_change_problem(before, later, False, DAY, 18).code == "proxy_renewal"
	assert end_change_problem(before, None, False, DAY, 18).code == "proxy_renewal"
	assert end_change_problem(before, later, True, DAY, 18) is None
	assert end_change_problem(before, earlier, False, DAY, 18) is None
	assert end_change_problem(None, earlier, False, DAY, 18) is None
	assert end_change_problem(before, None, True, DAY, 18).code == "proxy_end_missing"
	assert end_change_problem(before, date(2030, 1, 1), True, DAY, 18).code == "proxy_end_too_late"
	assert end_change_problem(before, DAY, False, DAY, 18).code == "proxy_end_past"


def test_the_people_page_names_each_state_in_the_patients_words():
	assert set(PERSON_STATUS) == set(AccountStatus.ALL)
	assert person_status(AccountStatus.ACTIVE, False) == "Can see your record"
	assert person_status(AccountStatus.ACTIVE, True) == ACCESS_ENDED
	assert person_status(AccountStatus.INVITED, True) == ACCESS_ENDED
	assert person_status(AccountStatus.SUSPENDED, True) == "Access stopped"
	assert person_status("Something new", False) == "Something new"
