from datetime import date

import pytest

from portal_onboarding.constants import AccountStatus
from portal_onboarding.core.eligibility import EligibilityRules, PatientFacts
from portal_onboarding.core.onboarding_report import (
	DEFAULT_PAGE_LENGTH,
	MAX_SEARCH_LENGTH,
	Funnel,
	ReportFilters,
	last_page,
	merge_counts,
	normalise_status,
	page_label,
	parse_filters,
	percent,
	row_reasons,
	status_cards,
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
