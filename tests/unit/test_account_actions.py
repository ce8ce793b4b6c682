import pytest

from portal_onboarding.constants import AccountStatus
from portal_onboarding.core.account_actions import (
	ALLOWED_FROM,
	LABELS,
	Action,
	available_actions,
	check_action,
	target_status,
)
from portal_onboarding.core.status import check_transition

S = AccountStatus


@pytest.mark.parametrize("action", Action.ALL)
@pytest.mark.parametrize("status", S.ALL)
@pytest.mark.parametrize("has_login", [True, False])
def test_every_allowed_action_is_a_legal_transition(action, status, has_login):
	"""The buttons, the API and the status machine never disagree."""
	if check_action(action, status, has_login) is None:
		target = target_status(action, status, has_login)
		assert target == status or check_transition(status, target) is None


def test_every_action_has_a_label_and_a_rule():
	assert set(LABELS) == set(Action.ALL) == set(ALLOWED_FROM)


@pytest.mark.parametrize(
	"action,status,has_login,target",
	[
		(Action.SUSPEND, S.ACTIVE, True, S.SUSPENDED),
		(Action.SUSPEND, S.INVITED, False, S.SUSPENDED),
		(Action.REACTIVATE, S.SUSPENDED, True, S.ACTIVE),
		(Action.REACTIVATE, S.SUSPENDED, False, S.ENABLED),
		(Action.SET_CREDENTIALS, S.ENABLED, False, S.ACTIVE),
		(Action.SET_CREDENTIALS, S.INVITE_EXPIRED, False, S.ACTIVE),
		(Action.SET_CREDENTIALS, S.ACTIVE, True, S.ACTIVE),
		(Action.REMOVE_LOGIN, S.ACTIVE, True, S.ENABLED),
		(Action.REMOVE_LOGIN, S.SUSPENDED, True, S.ENABLED),
		(Action.MARK_PENDING_DELETE, S.ACTIVE, True, S.PENDING_DELETE),
		(Action.MARK_PENDING_DELETE, S.NOT_ENABLED, False, S.PENDING_DELETE),
		(Action.CANCEL_PENDING_DELETE, S.PENDING_DELETE, True, S.ENABLED),
		(Action.SEND_PASSWORD_RESET, S.ACTIVE, True, S.ACTIVE),
	],
)
def test_allowed_actions_and_where_they_lead(action, status, has_login, target):
	assert check_action(action, status, has_login) is None
	assert target_status(action, status, has_login) == target


@pytest.mark.parametrize(
	"action,status,has_login,code",
	[
		(Action.SUSPEND, S.SUSPENDED, True, "action_not_allowed"),
		(Action.SUSPEND, S.PENDING_DELETE, False, "action_not_allowed"),
		(Action.SUSPEND, S.NOT_ENABLED, False, "action_not_allowed"),
		(Action.REACTIVATE, S.ACTIVE, True, "action_not_allowed"),
		(Action.SEND_PASSWORD_RESET, S.SUSPENDED, True, "action_not_allowed"),
		(Action.SEND_PASSWORD_RESET, S.INVITED, False, "action_not_allowed"),
		(Action.SET_CREDENTIALS, S.SUSPENDED, True, "action_not_allowed"),
		(Action.SET_CREDENTIALS, S.NOT_ENABLED, False, "action_not_allowed"),
		(Action.SET_CREDENTIALS, S.PENDING_DELETE, False, "action_not_allowed"),
		(Action.REMOVE_LOGIN, S.ENABLED, False, "action_not_allowed"),
		(Action.REMOVE_LOGIN, S.INVITED, False, "no_login"),
		(Action.MARK_PENDING_DELETE, S.PENDING_DELETE, False, "action_not_allowed"),
		(Action.CANCEL_PENDING_DELETE, S.ACTIVE, True, "action_not_allowed"),
		("bogus", S.ACTIVE, True, "unknown_action"),
	],
)
def test_refused_actions_say_why(action, status, has_login, code):
	reason = check_action(action, status, has_login)
	assert reason is not None and reason.code == code
	assert reason.text()


def test_refusal_names_the_action_and_the_status():
	reason = check_action(Action.SUSPEND, S.PENDING_DELETE, False)
	assert reason.text() == "Suspend is not possible while the portal account is Pending Delete."


def test_available_actions_for_the_form():
	assert available_actions(S.ACTIVE, True) == (
		Action.SUSPEND,
		Action.SEND_PASSWORD_RESET,
		Action.SET_CREDENTIALS,
		Action.REMOVE_LOGIN,
		Action.MARK_PENDING_DELETE,
	)
	assert available_actions(S.SUSPENDED, True) == (
		Action.REACTIVATE,
		Action.REMOVE_LOGIN,
		Action.MARK_PENDING_DELETE,
	)
	assert available_actions(S.PENDING_DELETE, True) == (Action.CANCEL_PENDING_DELETE,)
	assert available_actions(S.ENABLED, False) == (
		Action.SUSPEND,
		Action.SET_CREDENTIALS,
		Action.MARK_PENDING_DELETE,
	)


def test_an_account_invited_before_can_be_sent_a_new_invitation():
	for status in (S.INVITED, S.INVITE_EXPIRED, S.INVITE_FAILED):
		assert check_action(Action.RESEND_INVITATION, status, False) is None
		assert target_status(Action.RESEND_INVITATION, status, False) == S.INVITED
	assert available_actions(S.INVITE_EXPIRED, False)[0] == Action.RESEND_INVITATION
	for status in (S.NOT_ENABLED, S.ENABLED, S.ACTIVE, S.SUSPENDED, S.PENDING_DELETE):
		assert check_action(Action.RESEND_INVITATION, status, False).code == "action_not_allowed"
