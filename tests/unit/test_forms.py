from datetime import date

import pytest

from portal_onboarding.core.forms import (
	MAX_CANCEL_REASON,
	FormRequestStatus,
	RequestFacts,
	check_cancel,
	check_request,
	check_submission,
	is_overdue,
	patient_field,
)

TODAY = date(2026, 11, 22)
S = FormRequestStatus


def facts(**kw) -> RequestFacts:
	values = {
		"due_date": date(2026, 12, 1),
		"today": TODAY,
		"web_form_exists": True,
		"published": True,
		"login_required": True,
		"already_requested": False,
		"accounts": 1,
		"accounts_with_forms": 1,
	}
	values.update(kw)
	return RequestFacts(**values)


def codes(reasons) -> list[str]:
	return [reason.code for reason in reasons]


def test_a_good_request_passes():
	assert check_request(facts()) == []
	assert check_request(facts(due_date=None)) == []
	assert check_request(facts(due_date=TODAY)) == []


@pytest.mark.parametrize(
	"changes, code",
	[
		({"web_form_exists": False}, "web_form_missing"),
		({"published": False}, "web_form_not_usable"),
		({"login_required": False}, "web_form_not_usable"),
		({"due_date": date(2026, 11, 21)}, "due_date_past"),
		({"already_requested": True}, "already_requested"),
		({"accounts": 0, "accounts_with_forms": 0}, "no_account"),
		({"accounts_with_forms": 0}, "no_forms_section"),
	],
)
def test_each_refusal_is_named(changes, code):
	assert codes(check_request(facts(**changes))) == [code]


def test_every_problem_is_listed_at_once():
	reasons = check_request(facts(web_form_exists=False, due_date=date(2020, 1, 1), accounts=0))
	assert codes(reasons) == ["web_form_missing", "due_date_past", "no_account"]


def test_submission_only_while_requested():
	assert check_submission(S.REQUESTED) is None
	assert check_submission(S.SUBMITTED).code == "already_submitted"
	assert check_submission(S.CANCELLED).code == "not_requested"
	assert check_submission(None).code == "not_requested"


@pytest.mark.parametrize(
	"status, reason, code",
	[
		(S.SUBMITTED, "x", "not_cancellable"),
		(S.CANCELLED, "x", "not_cancellable"),
		(S.REQUESTED, "  ", "reason_missing"),
		(S.REQUESTED, None, "reason_missing"),
		(S.REQUESTED, "x" * (MAX_CANCEL_REASON + 1), "reason_length"),
	],
)
def test_cancel_refusals(status, reason, code):
	assert check_cancel(status, reason).code == code


def test_cancel_allowed():
	assert check_cancel(S.REQUESTED, "Filled in on paper") is None


def test_patient_field_is_the_first_link_to_patient():
	fields = [
		("title", "Data", None),
		("doctor", "Link", "Healthcare Practitioner"),
		("patient", "Link", "Patient"),
		("p2", "Link", "Patient"),
	]
	assert patient_field(fields) == "patient"
	assert patient_field([("title", "Data", None)]) is None


def test_overdue_only_while_requested():
	assert is_overdue(date(2026, 11, 21), TODAY, S.REQUESTED)
	assert not is_overdue(TODAY, TODAY, S.REQUESTED)
	assert not is_overdue(None, TODAY, S.REQUESTED)
	assert not is_overdue(date(2026, 11, 21), TODAY, S.SUBMITTED)
