from datetime import date, timedelta

import pytest

from portal_onboarding.constants import AccountStatus
from portal_onboarding.core.age_policy import TURNING_ADULT_DAYS, AgePolicy, turns_adult_within
from portal_onboarding.core.eligibility import EligibilityRules, PatientFacts
from portal_onboarding.core.onboarding_report import (
	DEFAULT_PAGE_LENGTH,
	MAX_SEARCH_LENGTH,
	NOW_ADULT,
	NOW_ADULT_PARENT_EMAIL,
	Funnel,
	ReportFilters,
	age_cards,
	last_page,
	merge_counts,
	normalise_status,
	now_adult_reason,
	page_label,
	parse_filters,
	percent,
	row_reasons,
	status_cards,
	turning_adult_window,
)
from portal_onboarding.core.status import STATUS_COLOURS

S = AccountStatus


def codes(reasons):
	return [r.code for r in reasons]


def test_empty_filters_are_the_first_page_of_everyone():
	filters, reasons = parse_filters(None)
	assert reasons == ()
	assert filters == ReportFilters()
	assert (filters.page, filters.page_length, filters.offset) == (1, DEFAULT_PAGE_LENGTH, 0)


def test_filters_as_the_browser_sends_them():
	filters, reasons = parse_filters(
		{
			"status": "Invited",
			"eligible_only": "1",
			"search": "  ann  ",
			"invited_from": "2026-01-01",
			"invited_to": "2026-01-31 00:00:00",
			"page": "3",
			"page_length": 500,
		}
	)
	assert reasons == ()
	assert filters.status == S.INVITED
	assert filters.eligible_only is True
	assert filters.search == "ann"
	assert filters.invited_from == date(2026, 1, 1)
	assert filters.invited_to == date(2026, 1, 31)
	assert filters.offset == 1000


@pytest.mark.parametrize(
	"raw, code",
	[
		({"status": "Bogus"}, "unknown_status"),
		({"search": "x" * (MAX_SEARCH_LENGTH + 1)}, "search_too_long"),
		({"invited_from": "2026-02-01", "invited_to": "2026-01-01"}, "dates_reversed"),
		({"invited_to": "not a date"}, "bad_date"),
		({"page": "0"}, "bad_page"),
		({"page": "two"}, "bad_page"),
		({"page_length": "7"}, "bad_page_length"),
		({"page_length": "lots"}, "bad_page_length"),
	],
)
def test_nonsense_filters_each_have_a_reason(raw, code):
	filters, reasons = parse_filters(raw)
	assert codes(reasons) == [code]
	assert filters.status in (None, *S.ALL)
	assert filters.page >= 1


def test_every_problem_is_reported_at_once():
	_filters, reasons = parse_filters({"status": "?", "page": "-1", "search": "y" * 5000})
	assert set(codes(reasons)) == {"unknown_status", "bad_page", "search_too_long"}


def test_eligible_only_reads_checkbox_values():
	assert parse_filters({"eligible_only": 0})[0].eligible_only is False
	assert parse_filters({"eligible_only": "true"})[0].eligible_only is True


def test_row_reasons_are_eligibility_until_active():
	rules = EligibilityRules()
	missing = PatientFacts(email="a@example.com")
	assert codes(row_reasons(missing, rules, S.NOT_ENABLED)) == ["zip_missing", "dob_missing"]
	assert row_reasons(missing, rules, S.ACTIVE) == ()


def test_counts_fold_missing_statuses_into_not_enabled():
	counts = merge_counts([(None, 2), ("", 1), (S.NOT_ENABLED, 3), (S.ACTIVE, 4), ("Weird", 1)])
	assert counts[S.NOT_ENABLED] == 7
	assert counts[S.ACTIVE] == 4
	assert list(counts) == list(S.ALL)
	assert normalise_status(S.INVITED) == S.INVITED


def test_status_cards_use_the_one_colour_map():
	cards = status_cards(merge_counts([(S.INVITED, 5)]))
	assert [c.label for c in cards] == list(S.ALL)
	assert all(c.indicator == STATUS_COLOURS[c.label] for c in cards)
	assert next(c.value for c in cards if c.label == S.INVITED) == 5


def test_funnel_cards_in_numbers_and_percent():
	invited, opened, activated = Funnel(8, 6, 2).cards()
	assert invited.value == 8
	assert opened.value == "6 (75.0%)"
	assert activated.value == "2 (25.0%)"
	assert percent(1, 0) == "0.0%"


def test_reminder_cards_count_accounts_reminders_and_activations_after_one():
	reminded, reminders, activated = Funnel(
		8, 6, 2, reminded=4, reminders=6, activated_after_reminder=1
	).reminder_cards()
	assert (reminded.label, reminded.value) == ("Reminded", "4 (50.0%)")
	assert (reminders.label, reminders.value, reminders.datatype) == ("Reminders sent", 6, "Int")
	assert (activated.label, activated.value) == ("Activated after a reminder", "1 (25.0%)")
	# A funnel from before reminders (a cached one, say) reads as none sent.
	assert [c.value for c in Funnel(8, 6, 2).reminder_cards()] == ["0 (0.0%)", 0, "0 (0.0%)"]


def test_page_label_and_last_page():
	filters = ReportFilters(page=2, page_length=100)
	assert page_label(filters, 250) == ("Patients {0} to {1} of {2}", ("101", "200", "250"))
	assert page_label(ReportFilters(page=3), 250)[1] == ("201", "250", "250")
	assert page_label(filters, 0)[0] == "No patients match these filters."
	template, args = page_label(ReportFilters(page=9), 250)
	assert "past the last page" in template and args == ("9", "3")
	assert last_page(filters, 0) == 1
	assert page_label(ReportFilters(page_length=100), 123_456)[1] == ("1", "100", "123,456")


def test_the_turning_adult_filter_reads_checkbox_values():
	assert parse_filters({})[0].turning_adult is False
	assert parse_filters({"turning_adult": "1"})[0].turning_adult is True
	assert parse_filters({"turning_adult": 0})[0].turning_adult is False


@pytest.mark.parametrize(
	"day",
	[
		date(2026, 3, 1),
		date(2026, 1, 31),  # the window runs into February of a common year
		date(2028, 2, 1),  # ... of a leap year
		date(2026, 2, 28),
		date(2028, 2, 29),
		date(2026, 12, 15),  # the window crosses a year
	],
)
@pytest.mark.parametrize("policy", [AgePolicy(), AgePolicy(majority_age=21), AgePolicy(majority_age=16)])
def test_the_turning_adult_window_is_exactly_the_births_the_age_policy_names(day, policy):
	window = turning_adult_window(day, policy)
	assert (window.day, window.horizon, window.days) == (day, day + timedelta(days=30), 30)
	assert window.majority_age == policy.majority_age
	# Every birth in the years around the window, asked one by one.
	first = date(day.year - policy.majority_age - 1, 1, 1)
	births = [first + timedelta(days=n) for n in range(3 * 366)]
	expected = [b for b in births if turns_adult_within(b, day, policy, TURNING_ADULT_DAYS)]
	assert expected
	assert (window.born_from, window.born_to) == (expected[0], expected[-1])
	inside = [b for b in births if window.born_from <= b <= window.born_to]
	assert inside == expected


def test_the_turning_adult_window_of_no_days_is_empty():
	window = turning_adult_window(date(2026, 3, 1), AgePolicy(), days=0)
	assert window.born_from > window.born_to


def test_someone_born_on_29_february_turns_adult_on_1_march():
	# 1 March 2026: those born on 1 March 2008 and on 29 February 2008 alike.
	window = turning_adult_window(date(2026, 2, 28), AgePolicy(), days=1)
	assert (window.born_from, window.born_to) == (date(2008, 2, 29), date(2008, 3, 1))
	window = turning_adult_window(date(2026, 2, 27), AgePolicy(), days=1)
	assert (window.born_from, window.born_to) == (date(2008, 2, 28), date(2008, 2, 28))


@pytest.mark.parametrize(
	"aged_out, self_status, reason",
	[
		(None, None, None),  # no representative ended at majority
		(None, S.ENABLED, None),
		(0, None, NOW_ADULT),  # no account of their own yet
		(0, S.NOT_ENABLED, NOW_ADULT),
		(0, S.ENABLED, NOW_ADULT),
		(0, S.INVITE_EXPIRED, NOW_ADULT),
		(0, S.SUSPENDED, NOW_ADULT),
		(0, S.INVITED, None),  # on its way
		(0, S.ACTIVE, None),  # in use
		(1, None, NOW_ADULT_PARENT_EMAIL),  # the record still has the parent's address
		(1, S.ACTIVE, None),
	],
)
def test_now_adult_until_their_own_account_is_invited_or_active(aged_out, self_status, reason):
	assert now_adult_reason(aged_out, self_status) == reason


def test_now_adult_reasons_are_sentences_to_translate():
	assert NOW_ADULT.text() == "Now an adult: invite them to their own account."
	assert "change it on the patient" in NOW_ADULT_PARENT_EMAIL.text()
	assert NOW_ADULT.code != NOW_ADULT_PARENT_EMAIL.code


def test_age_cards_name_the_age_of_majority_and_the_days():
	window = turning_adult_window(date(2026, 3, 1), AgePolicy(majority_age=21))
	turning, now_adult = age_cards(4, 2, window)
	assert turning.label.format(*turning.args) == "Turning 21 within 30 days"
	assert (turning.value, turning.datatype) == (4, "Int")
	assert (now_adult.label, now_adult.value, now_adult.args) == ("Now adults to invite", 2, ())
	# Every card but these formats its label with nothing.
	assert all(card.args == () for card in (*status_cards({}), *Funnel(1, 1, 1).cards()))
