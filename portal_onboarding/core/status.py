"""Account statuses: which changes are allowed, the patient's overall portal status, and colours."""

from collections.abc import Iterable
from dataclasses import dataclass

from portal_onboarding.constants import AccessType, AccountStatus
from portal_onboarding.core.messages import Reason, RuleError, _

S = AccountStatus

TRANSITIONS: dict[str, frozenset[str]] = {
	S.NOT_ENABLED: frozenset({S.ENABLED, S.PENDING_DELETE}),
	S.ENABLED: frozenset(
		{S.INVITED, S.INVITE_FAILED, S.ACTIVE, S.SUSPENDED, S.PENDING_DELETE, S.NOT_ENABLED}
	),
	S.INVITED: frozenset(
		{
			S.INVITED,
			S.ACTIVE,
			S.INVITE_EXPIRED,
			S.INVITE_FAILED,
			S.SUSPENDED,
			S.ENABLED,
			S.PENDING_DELETE,
			S.NOT_ENABLED,
		}
	),
	S.INVITE_EXPIRED: frozenset(
		{S.INVITED, S.INVITE_FAILED, S.ACTIVE, S.SUSPENDED, S.ENABLED, S.PENDING_DELETE, S.NOT_ENABLED}
	),
	S.INVITE_FAILED: frozenset(
		{S.INVITED, S.INVITE_FAILED, S.ACTIVE, S.SUSPENDED, S.ENABLED, S.PENDING_DELETE, S.NOT_ENABLED}
	),
	S.ACTIVE: frozenset({S.SUSPENDED, S.ENABLED, S.PENDING_DELETE, S.NOT_ENABLED}),
	S.SUSPENDED: frozenset({S.ACTIVE, S.ENABLED, S.PENDING_DELETE, S.NOT_ENABLED}),
	# The login is gone once an account is Pending Delete: undoing it starts again from Enabled.
	S.PENDING_DELETE: frozenset({S.ENABLED, S.NOT_ENABLED}),
}

# When a patient has no Self account, the most advanced representative account speaks for them.
PRECEDENCE = (
	S.ACTIVE,
	S.INVITED,
	S.ENABLED,
	S.INVITE_FAILED,
	S.INVITE_EXPIRED,
	S.SUSPENDED,
	S.PENDING_DELETE,
	S.NOT_ENABLED,
)

# Frappe indicator colours; every screen (form, list, report, portal) reads this one map.
STATUS_COLOURS: dict[str, str] = {
	S.NOT_ENABLED: "red",
	S.ENABLED: "blue",
	S.INVITED: "orange",
	S.ACTIVE: "green",
	S.SUSPENDED: "gray",
	S.PENDING_DELETE: "purple",
	S.INVITE_EXPIRED: "yellow",
	S.INVITE_FAILED: "pink",
}


@dataclass(frozen=True)
class AccountState:
	"""The part of an account that decides the patient's portal status."""

	access_type: str
	status: str


def check_transition(current: str, target: str) -> Reason | None:
	"""None when an account may move from `current` to `target`, else the reason it may not."""
	for status in (current, target):
		if status not in TRANSITIONS:
			return Reason("unknown_status", _("{0} is not a portal account status."), (status,))
	if current == target and target not in TRANSITIONS[current]:
		return Reason("same_status", _("The portal account is already {0}."), (current,))
	if target not in TRANSITIONS[current]:
		return Reason(
			"illegal_transition",
			_("A portal account cannot go from {0} to {1}."),
			(current, target),
		)
	return None


def assert_transition(current: str, target: str) -> None:
	"""Raise RuleError unless the account may move from `current` to `target`."""
	reason = check_transition(current, target)
	if reason:
		raise RuleError(reason)


def allowed_targets(current: str) -> tuple[str, ...]:
	"""The statuses an account in `current` may move to, in the order screens list them."""
	targets = TRANSITIONS.get(current, frozenset())
	return tuple(status for status in AccountStatus.ALL if status in targets)


def patient_portal_status(portal_access_enabled: bool, accounts: Iterable[AccountState]) -> str:
	"""The one status a patient shows: their own account's, else the most advanced representative's."""
	if not portal_access_enabled:
		return S.NOT_ENABLED
	accounts = list(accounts)
	own = [a.status for a in accounts if a.access_type == AccessType.SELF]
	if own:
		return own[0]
	statuses = {a.status for a in accounts}
	for status in PRECEDENCE:
		if status in statuses:
			return status
	return S.ENABLED


def colour(status: str) -> str:
	"""The indicator colour of a status; unknown statuses are gray rather than an error on screen."""
	return STATUS_COLOURS.get(status, "gray")
