import pytest

from portal_onboarding.constants import AccessType, AccountStatus
from portal_onboarding.core.messages import RuleError
from portal_onboarding.core.status import (
	STATUS_COLOURS,
	TRANSITIONS,
	AccountState,
	allowed_targets,
	assert_transition,
	check_transition,
	colour,
	patient_portal_status,
)

S = AccountStatus


def test_every_status_has_transitions_and_a_colour():
	assert set(TRANSITIONS) == set(S.ALL)
	assert set(STATUS_COLOURS) == set(S.ALL)
	assert STATUS_COLOURS[S.NOT_ENABLED] == "red"
	assert STATUS_COLOURS[S.ACTIVE] == "green"


def test_colours_are_distinct_so_every_status_is_told_apart():
	assert len(set(STATUS_COLOURS.values())) == len(STATUS_COLOURS)


@pytest.mark.parametrize(
	"current,target",
	[
		(S.NOT_ENABLED, S.ENABLED),
		(S.ENABLED, S.INVITED),
		(S.INVITED, S.INVITED),
		(S.INVITED, S.ACTIVE),
		(S.INVITED, S.INVITE_EXPIRED),
		(S.INVITE_EXPIRED, S.INVITED),
		(S.INVITE_FAILED, S.INVITED),
		(S.ACTIVE, S.SUSPENDED),
		(S.SUSPENDED, S.ACTIVE),
		(S.ACTIVE, S.PENDING_DELETE),
		(S.PENDING_DELETE, S.ENABLED),
		(S.ACTIVE, S.NOT_ENABLED),
		(S.ACTIVE, S.ENABLED),
		(S.SUSPENDED, S.ENABLED),
		(S.INVITE_EXPIRED, S.ACTIVE),
		(S.NOT_ENABLED, S.PENDING_DELETE),
	],
)
def test_legal_transitions(current, target):
	assert check_transition(current, target) is None
	assert_transition(current, target)


@pytest.mark.parametrize(
	"current,target",
	[
		(S.NOT_ENABLED, S.ACTIVE),
		(S.NOT_ENABLED, S.INVITED),
		(S.ACTIVE, S.INVITED),
		(S.PENDING_DELETE, S.ACTIVE),
		(S.PENDING_DELETE, S.SUSPENDED),
		(S.SUSPENDED, S.INVITED),
	],
)
def test_illegal_transitions_name_both_statuses(current, target):
	reason = check_transition(current, target)
	assert reason is not None
	assert reason.code == "illegal_transition"
	assert reason.text() == f"A portal account cannot go from {current} to {target}."
	with pytest.raises(RuleError) as info:
		assert_transition(current, target)
	assert info.value.reason == reason
	assert str(info.value) == reason.text()


def test_same_status_is_refused_where_it_means_nothing():
	reason = check_transition(S.ACTIVE, S.ACTIVE)
	assert reason is not None and reason.code == "same_status"
	assert reason.text() == "The portal account is already Active."


@pytest.mark.parametrize("current,target", [("Bogus", S.ACTIVE), (S.ACTIVE, "Bogus")])
def test_unknown_status_is_refused(current, target):
	reason = check_transition(current, target)
	assert reason is not None and reason.code == "unknown_status"
	assert "Bogus" in reason.text()


def test_reason_text_uses_the_translator():
	reason = check_transition(S.NOT_ENABLED, S.ACTIVE)
	translated = reason.text(lambda msg: msg.replace("cannot go from", "kann nicht von"))
	assert translated == f"A portal account kann nicht von {S.NOT_ENABLED} to {S.ACTIVE}."


def test_allowed_targets_follow_the_status_order():
	assert allowed_targets(S.NOT_ENABLED) == (S.ENABLED, S.PENDING_DELETE)
	assert allowed_targets(S.ACTIVE) == (S.NOT_ENABLED, S.ENABLED, S.SUSPENDED, S.PENDING_DELETE)
	assert allowed_targets("Bogus") == ()


def test_portal_status_without_access_is_not_enabled_whatever_the_accounts():
	accounts = [AccountState(AccessType.SELF, S.ACTIVE)]
	assert patient_portal_status(False, accounts) == S.NOT_ENABLED


def test_portal_status_with_access_but_no_account_is_enabled():
	assert patient_portal_status(True, []) == S.ENABLED


def test_portal_status_prefers_the_patients_own_account():
	accounts = [
		AccountState(AccessType.REPRESENTATIVE, S.ACTIVE),
		AccountState(AccessType.SELF, S.INVITE_EXPIRED),
	]
	assert patient_portal_status(True, accounts) == S.INVITE_EXPIRED


def test_portal_status_takes_the_most_advanced_representative():
	accounts = [
		AccountState(AccessType.REPRESENTATIVE, S.INVITE_FAILED),
		AccountState(AccessType.REPRESENTATIVE, S.INVITED),
		AccountState(AccessType.REPRESENTATIVE, S.SUSPENDED),
	]
	assert patient_portal_status(True, iter(accounts)) == S.INVITED


def test_portal_status_with_only_unknown_statuses_falls_back_to_enabled():
	assert patient_portal_status(True, [AccountState(AccessType.REPRESENTATIVE, "Bogus")]) == S.ENABLED


def test_colour_of_unknown_status_is_gray():
	assert colour(S.INVITED) == "orange"
	assert colour("Bogus") == "gray"
