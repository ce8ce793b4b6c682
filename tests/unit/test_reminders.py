from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from portal_onboarding.constants import AccountStatus, InvitationStatus
from portal_onboarding.core.reminders import (
	InvitationFacts,
	NoReminder,
	ReminderPolicy,
	last_mail_on,
	last_mailed_by,
	reminder_due,
	reminders_never_due,
	why_no_reminder,
)

NOW = datetime(2026, 11, 22, 12, 0)
POLICY = ReminderPolicy(after_days=2, max_reminders=2)
# Sent three days ago, a week to live, never opened: due its first reminder.
WAITING = InvitationFacts(
	status=InvitationStatus.SENT,
	account_status=AccountStatus.INVITED,
	sent_on=NOW - timedelta(days=3),
	expires_on=NOW + timedelta(days=4),
)


def test_an_unopened_invitation_is_reminded_after_the_days_set():
	assert why_no_reminder(WAITING, POLICY, NOW) is None
	assert reminder_due(WAITING, POLICY, NOW)


def test_exactly_the_days_set_is_enough_a_moment_less_is_not():
	facts = replace(WAITING, sent_on=NOW - timedelta(days=2))
	assert reminder_due(facts, POLICY, NOW)
	assert why_no_reminder(facts, POLICY, NOW - timedelta(seconds=1)) == NoReminder.TOO_SOON


def test_the_next_reminder_counts_from_the_last_one():
	reminded = replace(WAITING, reminders_sent=1, last_reminder_on=NOW - timedelta(days=1))
	assert why_no_reminder(reminded, POLICY, NOW) == NoReminder.TOO_SOON
	assert reminder_due(reminded, POLICY, NOW + timedelta(days=1))


def test_never_more_than_the_maximum():
	done = replace(WAITING, reminders_sent=2, last_reminder_on=NOW - timedelta(days=3))
	assert why_no_reminder(done, POLICY, NOW) == NoReminder.ENOUGH
	# Lowering the maximum below what was already sent stops them too.
	assert why_no_reminder(replace(done, reminders_sent=3), POLICY, NOW) == NoReminder.ENOUGH


@pytest.mark.parametrize("policy", [ReminderPolicy(0, 2), ReminderPolicy(2, 0), ReminderPolicy(0, 0)])
def test_either_setting_at_zero_sends_none(policy):
	assert not policy.active
	assert why_no_reminder(WAITING, policy, NOW) == NoReminder.OFF


@pytest.mark.parametrize(
	"change,code",
	[
		({"status": InvitationStatus.QUEUED}, NoReminder.NOT_SENT),
		({"status": InvitationStatus.FAILED}, NoReminder.NOT_SENT),
		({"status": InvitationStatus.ACCEPTED}, NoReminder.NOT_SENT),
		({"status": InvitationStatus.EXPIRED}, NoReminder.NOT_SENT),
		({"status": InvitationStatus.REVOKED}, NoReminder.NOT_SENT),
		({"reverification": True, "account_status": AccountStatus.SUSPENDED}, NoReminder.REVERIFICATION),
		({"account_status": AccountStatus.SUSPENDED}, NoReminder.NOT_INVITED),
		({"account_status": AccountStatus.ACTIVE}, NoReminder.NOT_INVITED),
		({"account_status": None}, NoReminder.NOT_INVITED),
		({"has_link": False}, NoReminder.NO_LINK),
		({"opened_on": NOW - timedelta(days=1)}, NoReminder.OPENED),
		({"expires_on": NOW}, NoReminder.EXPIRED),
		({"expires_on": NOW - timedelta(hours=1)}, NoReminder.EXPIRED),
		({"expires_on": None}, NoReminder.EXPIRED),
		({"sent_on": None}, NoReminder.TOO_SOON),
	],
)
def test_what_gets_no_reminder_and_why(change, code):
	facts = replace(WAITING, **change)
	assert why_no_reminder(facts, POLICY, NOW) == code
	assert not reminder_due(facts, POLICY, NOW)


def test_last_mail_is_the_later_of_the_first_send_and_the_last_reminder():
	assert last_mail_on(WAITING) == WAITING.sent_on
	later = NOW - timedelta(hours=5)
	assert last_mail_on(replace(WAITING, last_reminder_on=later)) == later
	assert last_mail_on(replace(WAITING, sent_on=None)) is None


def test_the_query_cut_off_is_the_days_set_before_now():
	assert last_mailed_by(POLICY, NOW) == NOW - timedelta(days=2)


@pytest.mark.parametrize(
	"policy,lifetime,never",
	[
		(ReminderPolicy(3, 2), 72, True),
		(ReminderPolicy(3, 2), 73, False),
		(ReminderPolicy(1, 2), 72, False),
		(ReminderPolicy(0, 2), 1, False),
	],
)
def test_links_that_expire_before_the_first_reminder_are_spotted(policy, lifetime, never):
	assert reminders_never_due(policy, lifetime) is never
