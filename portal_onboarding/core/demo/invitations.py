"""The last invitation a demo account had, its dates telling the story of the account's status."""

import random
from datetime import datetime, timedelta

from portal_onboarding.constants import AccountStatus, Channel, InvitationStatus
from portal_onboarding.core.demo.names import invitation_name
from portal_onboarding.core.demo.records import DemoInvitation

S = AccountStatus

SEND_ATTEMPTS_EXHAUSTED = 3
FAILURE_REASONS = (
	"550 5.1.1 The email account that you tried to reach does not exist.",
	"552 5.2.2 The recipient's mailbox is full.",
	"Connection to the mail server timed out.",
)


def draw_invitation(
	rng: random.Random,
	now: datetime,
	life: timedelta,
	number: int,
	status: str,
	floor: datetime,
	representative: bool,
	email: str | None,
	mobile: str | None,
	before: datetime | None = None,
) -> DemoInvitation | None:
	"""The last invitation an account in `status` had; None when it was never invited.

	`now`: the generator's clock; `life`: how long an invitation lasts.
	`before`: an accepted invitation was accepted before then.
	"""
	if status == S.ENABLED or not email:
		return None
	channel = Channel.BOTH if mobile and rng.random() < 0.35 else Channel.EMAIL
	sms = "Sent" if channel == Channel.BOTH else "Not Requested"
	name = invitation_name(number, representative)
	if status == S.INVITE_FAILED:
		created = between(rng, floor + timedelta(hours=1), now - timedelta(hours=4))
		return DemoInvitation(
			name=name,
			status=InvitationStatus.FAILED,
			channel=Channel.EMAIL,
			sent_to=email,
			created=created,
			expires_on=created + life,
			send_attempts=SEND_ATTEMPTS_EXHAUSTED,
			failure_reason=rng.choice(FAILURE_REASONS),
		)
	if status == S.INVITED:
		sent = now - life * rng.uniform(0.05, 0.9)
	elif status == S.INVITE_EXPIRED:
		sent = between(rng, floor + timedelta(hours=1), now - life - timedelta(hours=1))
	else:
		latest = now - life - timedelta(days=1)
		sent = between(rng, floor + timedelta(hours=1), min(latest, before - life) if before else latest)
	sent = sent.replace(microsecond=0)
	created = sent - timedelta(seconds=rng.randrange(2, 90))
	expires = sent + life
	if status in (S.INVITED, S.INVITE_EXPIRED):
		end = min(now, expires)
		opened = between(rng, sent, end) if rng.random() < 0.4 else None
		return DemoInvitation(
			name=name,
			status=InvitationStatus.SENT if status == S.INVITED else InvitationStatus.EXPIRED,
			channel=channel,
			sent_to=email,
			created=created,
			expires_on=expires,
			sent_on=sent,
			opened_on=opened,
			identity_attempts=rng.choice((0, 0, 1)) if opened else 0,
			sms_status=sms,
		)
	accepted = between(rng, sent + timedelta(minutes=10), sent + life * 0.8)
	verified = accepted - timedelta(seconds=rng.randrange(30, 300))
	return DemoInvitation(
		name=name,
		status=InvitationStatus.ACCEPTED,
		channel=channel,
		sent_to=email,
		created=created,
		expires_on=expires,
		sent_on=sent,
		opened_on=verified - timedelta(seconds=rng.randrange(20, 180)),
		accepted_on=accepted,
		identity_verified_on=verified,
		identity_attempts=rng.choice((1, 1, 1, 2)),
		sms_status=sms,
	)


def between(rng: random.Random, low: datetime, high: datetime) -> datetime:
	"""A moment between `low` and `high`, whole seconds; `low` when the window is empty."""
	if high <= low:
		return low.replace(microsecond=0)
	return (low + (high - low) * rng.random()).replace(microsecond=0)
