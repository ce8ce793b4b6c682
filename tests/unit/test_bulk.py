import pytest

from portal_onboarding.constants import AccountStatus, BatchOutcome
from portal_onboarding.core.bulk import (
	MAX_SELECTED,
	NOT_YET_INVITED,
	Selection,
	check_selection,
	progress_percent,
	skip_reason,
	tally,
)

S = AccountStatus


def codes(reasons):
	return [r.code for r in reasons]


def test_selected_patients_without_repeats_or_blanks():
	selection, reasons = check_selection(["P1", " P2 ", "P1", "", "  "], False)
	assert reasons == ()
	assert selection == Selection(patients=("P1", "P2"))


def test_all_eligible_needs_no_names():
	assert check_selection(None, True) == (Selection(all_eligible=True), ())
	assert check_selection("", True) == (Selection(all_eligible=True), ())


@pytest.mark.parametrize(
	"patients, all_eligible, code",
	[
		([], False, "nothing_selected"),
		(None, False, "nothing_selected"),
		(["", " "], False, "nothing_selected"),
		(["P1"], True, "both"),
		({"a": 1}, False, "bad_patients"),
		([1, 2], False, "bad_patients"),
		("P1", False, "bad_patients"),
		([f"P{i}" for i in range(MAX_SELECTED + 1)], False, "too_many"),
	],
)
def test_bad_selections_are_refused_with_a_reason(patients, all_eligible, code):
	selection, reasons = check_selection(patients, all_eligible)
	assert codes(reasons) == [code]
	assert selection == Selection()


def test_too_many_says_how_many_and_what_to_do_instead():
	_selection, (reason,) = check_selection([f"P{i}" for i in range(50_000)], False)
	assert reason.args == ("50,000", "10,000")
	assert "Invite every eligible patient" in reason.message


def test_exactly_the_maximum_is_accepted():
	selection, reasons = check_selection([f"P{i}" for i in range(MAX_SELECTED)], False)
	assert reasons == () and len(selection.patients) == MAX_SELECTED


@pytest.mark.parametrize("status", [None, *NOT_YET_INVITED])
def test_not_yet_invited_patients_are_invited(status):
	assert skip_reason(status, False) is None


@pytest.mark.parametrize(
	"status, on_its_way, code",
	[
		(S.INVITED, False, "already_invited"),
		(S.ENABLED, True, "already_invited"),
		(S.ACTIVE, False, "already_active"),
		(S.SUSPENDED, False, "not_invitable"),
		(S.PENDING_DELETE, False, "not_invitable"),
	],
)
def test_nobody_is_invited_twice_or_against_their_state(status, on_its_way, code):
	assert skip_reason(status, on_its_way).code == code


def test_tally_and_progress():
	counts = tally([(BatchOutcome.SENT, 3), (BatchOutcome.FAILED, 1), ("Odd", 9)])
	assert counts == {
		BatchOutcome.PENDING: 0,
		BatchOutcome.SENT: 3,
		BatchOutcome.SKIPPED: 0,
		BatchOutcome.FAILED: 1,
	}
	assert progress_percent(1, 3) == 33.3
	assert progress_percent(5, 3) == 100.0
	assert progress_percent(0, 0) == 100.0
