from datetime import date

import pytest

from portal_onboarding.constants import MAX_INVITATION_HOURS, AccessType
from portal_onboarding.core.validation import (
	AccountInput,
	SettingsInput,
	check_account,
	check_sections,
	check_settings,
)

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize("hours", [1, 72, MAX_INVITATION_HOURS])
def test_lifetime_within_bounds(hours):
	assert check_settings(SettingsInput(invitation_lifetime_hours=hours)) == []


@pytest.mark.parametrize("hours", [0, -5, MAX_INVITATION_HOURS + 1])
def test_lifetime_out_of_bounds_names_the_field(hours):
	reasons = check_settings(SettingsInput(invitation_lifetime_hours=hours))
	assert [r.code for r in reasons] == ["lifetime_bounds"]
	assert reasons[0].text().startswith("Invitation Lifetime (Hours) must be between 1 and 720")
	assert str(hours) in reasons[0].text()


def test_negative_reminder_numbers():
	reasons = check_settings(SettingsInput(72, reminder_after_days=-1, max_reminders=-1))
	assert [r.code for r in reasons] == ["reminder_days", "max_reminders"]
	assert "Send Reminder After (Days)" in reasons[0].text()
	assert "Maximum Reminders" in reasons[1].text()


def test_good_self_account():
	assert check_account(AccountInput(AccessType.SELF, "jane.doe"), TODAY) == []


def test_representative_needs_a_relation():
	reasons = check_account(AccountInput(AccessType.REPRESENTATIVE, "mum", relation=" "), TODAY)
	assert [r.code for r in reasons] == ["relation_missing"]
	assert "Relation to Patient" in reasons[0].text()
	assert check_account(AccountInput(AccessType.REPRESENTATIVE, "mum", relation="Parent"), TODAY) == []


def test_bad_username_and_access_type():
	reasons = check_account(AccountInput("Friend", "a b"), TODAY)
	assert [r.code for r in reasons] == ["access_type", "username_characters"]
	assert "Access Type Friend" in reasons[0].text()


def test_valid_until_in_the_past_is_refused_when_set():
	reasons = check_account(
		AccountInput(AccessType.SELF, "jane", access_valid_until=date(2026, 11, 20)), TODAY
	)
	assert [r.code for r in reasons] == ["valid_until_past"]
	assert "Access Valid Until" in reasons[0].text()


def test_valid_until_today_or_later_is_fine():
	for day in (TODAY, date(2027, 1, 1)):
		assert check_account(AccountInput(AccessType.SELF, "jane", access_valid_until=day), TODAY) == []


def test_unchanged_past_valid_until_does_not_block_other_edits():
	account = AccountInput(
		AccessType.SELF, "jane", access_valid_until=date(2020, 1, 1), access_valid_until_changed=False
	)
	assert check_account(account, TODAY) == []


def test_sections_must_be_distinct_known_keys():
	assert check_sections([]) is None
	assert check_sections(["Appointments", "Lab Results"]) is None
	assert check_sections(["Appointments", "Everything"]).code == "sections"
	assert check_sections(["Appointments", "Appointments"]).code == "sections"


@pytest.mark.parametrize("hours", [0, 169])
def test_reset_link_lifetime_out_of_bounds(hours):
	reasons = check_settings(SettingsInput(72, password_reset_lifetime_hours=hours))
	assert [r.code for r in reasons] == ["reset_lifetime_bounds"]
	assert "Password Reset Link Lifetime (Hours)" in reasons[0].text()


@pytest.mark.parametrize("days", [0, 366])
def test_delete_after_days_out_of_bounds(days):
	reasons = check_settings(SettingsInput(72, delete_after_days=days))
	assert [r.code for r in reasons] == ["delete_after_bounds"]
	assert "Delete Personal Details After (Days)" in reasons[0].text()


def test_reset_and_deletion_defaults_are_valid():
	assert check_settings(SettingsInput(72, password_reset_lifetime_hours=1, delete_after_days=365)) == []
