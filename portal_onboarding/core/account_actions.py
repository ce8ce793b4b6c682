"""Which admin action an account allows in which status, and the status each action leads to.

Every action's move is also a legal transition in `core.status`, so the buttons a form shows, the
API's refusals and the status machine never disagree.
"""

from portal_onboarding.constants import AccountStatus
from portal_onboarding.core.messages import Reason, _
from portal_onboarding.core.status import check_transition

S = AccountStatus


class Action:
	RESEND_INVITATION = "resend_invitation"
	SUSPEND = "suspend"
	REACTIVATE = "reactivate"
	SEND_PASSWORD_RESET = "send_password_reset"
	SET_CREDENTIALS = "set_credentials"
	REMOVE_LOGIN = "remove_login"
	MARK_PENDING_DELETE = "mark_pending_delete"
	CANCEL_PENDING_DELETE = "cancel_pending_delete"

	ALL = (
		RESEND_INVITATION,
		SUSPEND,
		REACTIVATE,
		SEND_PASSWORD_RESET,
		SET_CREDENTIALS,
		REMOVE_LOGIN,
		MARK_PENDING_DELETE,
		CANCEL_PENDING_DELETE,
	)


LABELS: dict[str, str] = {
	Action.RESEND_INVITATION: _("Resend invitation"),
	Action.SUSPEND: _("Suspend"),
	Action.REACTIVATE: _("Reactivate"),
	Action.SEND_PASSWORD_RESET: _("Send password reset"),
	Action.SET_CREDENTIALS: _("Set credentials"),
	Action.REMOVE_LOGIN: _("Remove login"),
	Action.MARK_PENDING_DELETE: _("Mark for deletion"),
	Action.CANCEL_PENDING_DELETE: _("Cancel deletion"),
}

# Statuses with a live grant or one on its way: the ones an admin can still hand credentials to.
_GRANTABLE = frozenset({S.ENABLED, S.INVITED, S.INVITE_EXPIRED, S.INVITE_FAILED, S.ACTIVE})

ALLOWED_FROM: dict[str, frozenset[str]] = {
	# Invited once already: a new link (the earlier one revoked), through the invitation API.
	Action.RESEND_INVITATION: frozenset({S.INVITED, S.INVITE_EXPIRED, S.INVITE_FAILED}),
	Action.SUSPEND: _GRANTABLE,
	Action.REACTIVATE: frozenset({S.SUSPENDED}),
	Action.SEND_PASSWORD_RESET: frozenset({S.ACTIVE}),
	Action.SET_CREDENTIALS: _GRANTABLE,
	Action.REMOVE_LOGIN: frozenset({S.INVITED, S.INVITE_EXPIRED, S.INVITE_FAILED, S.ACTIVE, S.SUSPENDED}),
	Action.MARK_PENDING_DELETE: frozenset(set(S.ALL) - {S.PENDING_DELETE}),
	Action.CANCEL_PENDING_DELETE: frozenset({S.PENDING_DELETE}),
}

# Actions that only make sense on an account that has a login.
NEEDS_LOGIN = frozenset({Action.SEND_PASSWORD_RESET, Action.REMOVE_LOGIN})


def target_status(action: str, status: str, has_login: bool) -> str:
	"""The status the account is in after `action`."""
	if action == Action.RESEND_INVITATION:
		return S.INVITED
	if action == Action.SUSPEND:
		return S.SUSPENDED
	if action == Action.REACTIVATE:
		return S.ACTIVE if has_login else S.ENABLED
	if action == Action.SET_CREDENTIALS:
		return S.ACTIVE
	if action in (Action.REMOVE_LOGIN, Action.CANCEL_PENDING_DELETE):
		return S.ENABLED
	if action == Action.MARK_PENDING_DELETE:
		return S.PENDING_DELETE
	return status


def check_action(action: str, status: str, has_login: bool) -> Reason | None:
	"""None when `action` may run on an account in `status`, else the reason it may not."""
	if action not in ALLOWED_FROM:
		return Reason("unknown_action", _("{0} is not a portal account action."), (action,))
	if status not in ALLOWED_FROM[action]:
		return Reason(
			"action_not_allowed",
			_("{0} is not possible while the portal account is {1}."),
			(LABELS[action], status),
		)
	if action in NEEDS_LOGIN and not has_login:
		return Reason(
			"no_login", _("{0} needs a login, and this portal account has none yet."), (LABELS[action],)
		)
	target = target_status(action, status, has_login)
	if target != status:
		return check_transition(status, target)
	return None


def available_actions(status: str, has_login: bool) -> tuple[str, ...]:
	"""The actions a form offers for an account in `status`, in a fixed order."""
	return tuple(action for action in Action.ALL if check_action(action, status, has_login) is None)
