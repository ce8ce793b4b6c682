"""When an invitation nobody has opened is due a reminder: pure rules, the clock passed in.

The hourly job asks the database for candidates with `last_mailed_by`, then re-checks each one under
its lock with `why_no_reminder`, so a link opened, accepted or revoked meanwhile gets no mail.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from portal_onboarding.constants import AccountStatus, InvitationStatus


@dataclass(frozen=True)
class ReminderPolicy:
	"""The settings' rule: remind after `after_days` days without an opening, at most `max_reminders` times."""

	after_days: int
	max_reminders: int

	@property
	def active(self) -> bool:
		"""Either number at 0 turns reminders off."""
		return self.after_days > 0 and self.max_reminders > 0


@dataclass(frozen=True)
class InvitationFacts:
	"""What decides a reminder, read from the invitation and its account."""

	status: str
	account_status: str | None
	sent_on: datetime | None
	expires_on: datetime | None
	opened_on: datetime | None = None
	last_reminder_on: datetime | None = None
	reminders_sent: int = 0
	has_link: bool = True
	reverification: bool = False


class NoReminder:
	"""Why an invitation gets no reminder now (codes for tests and logs, never shown to anyone)."""

	OFF = "off"
	NOT_SENT = "not_sent"
	REVERIFICATION = "reverification"
	NOT_INVITED = "not_invited"
	NO_LINK = "no_link"
	OPENED = "opened"
	EXPIRED = "expired"
	ENOUGH = "enough"
	TOO_SOON = "too_soon"


def last_mail_on(facts: InvitationFacts) -> datetime | None:
	"""When the person last heard from us about this invitation: the last reminder, else the first mail."""
	return max((d for d in (facts.sent_on, facts.last_reminder_on) if d), default=None)


def last_mailed_by(policy: ReminderPolicy, now: datetime) -> datetime:
	"""An invitation whose last mail went out at or before this instant has waited long enough."""
	return now - timedelta(days=policy.after_days)


def why_no_reminder(facts: InvitationFacts, policy: ReminderPolicy, now: datetime) -> str | None:
	"""None when a reminder is due now, else the first reason it is not."""
	if not policy.active:
		return NoReminder.OFF
	if facts.status != InvitationStatus.SENT:
		return NoReminder.NOT_SENT
	# A re-verification link confirms a changed address after an email change: not an invitation to chase.
	if facts.reverification:
		return NoReminder.REVERIFICATION
	if facts.account_status != AccountStatus.INVITED:
		return NoReminder.NOT_INVITED
	# Only a link that still opens is worth a reminder (demo invitations, for one, have none).
	if not facts.has_link:
		return NoReminder.NO_LINK
	if facts.opened_on is not None:
		return NoReminder.OPENED
	if facts.expires_on is None or now >= facts.expires_on:
		return NoReminder.EXPIRED
	if facts.reminders_sent >= policy.max_reminders:
		return NoReminder.ENOUGH
	last = last_mail_on(facts)
	if last is None or last > last_mailed_by(policy, now):
		return NoReminder.TOO_SOON
	return None


def reminder_due(facts: InvitationFacts, policy: ReminderPolicy, now: datetime) -> bool:
	"""True when the invitation should get a reminder now."""
	return why_no_reminder(facts, policy, now) is None


def reminders_never_due(policy: ReminderPolicy, invitation_lifetime_hours: int) -> bool:
	"""True when reminders are on but every link expires before its first reminder falls due."""
	return policy.active and policy.after_days * 24 >= invitation_lifetime_hours
