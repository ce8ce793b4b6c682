"""Rules on settings and accounts that the doctype controllers enforce."""

from dataclasses import dataclass
from datetime import date

from portal_onboarding.constants import (
	DEFAULT_DELETE_AFTER_DAYS,
	DEFAULT_RESET_HOURS,
	MAX_DELETE_AFTER_DAYS,
	MAX_INVITATION_HOURS,
	MAX_RESET_HOURS,
	MIN_DELETE_AFTER_DAYS,
	MIN_INVITATION_HOURS,
	MIN_RESET_HOURS,
	PORTAL_SECTIONS,
	AccessType,
)
from portal_onboarding.core.base_url import check_base_url
from portal_onboarding.core.client_address import parse_trusted_proxies
from portal_onboarding.core.messages import Reason, _
from portal_onboarding.core.usernames import check_username


@dataclass(frozen=True)
class SettingsInput:
	"""The numbers in Portal Onboarding Settings that have bounds."""

	invitation_lifetime_hours: int
	reminder_after_days: int = 0
	max_reminders: int = 0
	password_reset_lifetime_hours: int = DEFAULT_RESET_HOURS
	delete_after_days: int = DEFAULT_DELETE_AFTER_DAYS
	trusted_proxies: str | None = None
	portal_base_url: str | None = None


@dataclass(frozen=True)
class AccountInput:
	"""The fields of a Patient Portal Account that are checked on save."""

	access_type: str
	username: str
	relation: str | None = None
	access_valid_until: date | None = None
	access_valid_until_changed: bool = True


def check_settings(settings: SettingsInput) -> list[Reason]:
	"""Every bound the settings break."""
	reasons = []
	hours = settings.invitation_lifetime_hours
	if hours < MIN_INVITATION_HOURS or hours > MAX_INVITATION_HOURS:
		reasons.append(
			Reason(
				"lifetime_bounds",
				_("Invitation Lifetime (Hours) must be between {0} and {1} (30 days), not {2}."),
				(str(MIN_INVITATION_HOURS), str(MAX_INVITATION_HOURS), str(hours)),
			)
		)
	if settings.reminder_after_days < 0:
		reasons.append(Reason("reminder_days", _("Send Reminder After (Days) cannot be negative.")))
	if settings.max_reminders < 0:
		reasons.append(Reason("max_reminders", _("Maximum Reminders cannot be negative.")))
	hours = settings.password_reset_lifetime_hours
	if hours < MIN_RESET_HOURS or hours > MAX_RESET_HOURS:
		reasons.append(
			Reason(
				"reset_lifetime_bounds",
				_("Password Reset Link Lifetime (Hours) must be between {0} and {1} (7 days), not {2}."),
				(str(MIN_RESET_HOURS), str(MAX_RESET_HOURS), str(hours)),
			)
		)
	days = settings.delete_after_days
	if days < MIN_DELETE_AFTER_DAYS or days > MAX_DELETE_AFTER_DAYS:
		reasons.append(
			Reason(
				"delete_after_bounds",
				_("Delete Personal Details After (Days) must be between {0} and {1}, not {2}."),
				(str(MIN_DELETE_AFTER_DAYS), str(MAX_DELETE_AFTER_DAYS), str(days)),
			)
		)
	reasons.extend(check_trusted_proxies(settings.trusted_proxies))
	base_url = check_base_url(settings.portal_base_url)
	if base_url:
		reasons.append(base_url)
	return reasons


def check_trusted_proxies(text: str | None) -> list[Reason]:
	"""One reason for each line of Trusted Proxies that is no IP address or network."""
	return [
		Reason(
			"trusted_proxies",
			_(
				"Trusted Proxies: {0} is not an IP address or network. Write one per line, such as "
				"10.0.0.5 or 10.0.0.0/8."
			),
			(line,),
		)
		for line in parse_trusted_proxies(text).invalid
	]


def check_account(account: AccountInput, today: date) -> list[Reason]:
	"""Every rule the account breaks; a past 'valid until' date only counts when it was just set."""
	reasons = []
	if account.access_type not in (AccessType.SELF, AccessType.REPRESENTATIVE):
		reasons.append(
			Reason("access_type", _("Access Type {0} is not valid."), (account.access_type or "",))
		)
	username_reason = check_username(account.username or "")
	if username_reason:
		reasons.append(username_reason)
	if account.access_type == AccessType.REPRESENTATIVE and not (account.relation or "").strip():
		reasons.append(
			Reason("relation_missing", _("Relation to Patient is required for an authorized representative."))
		)
	if (
		account.access_valid_until
		and account.access_valid_until_changed
		and account.access_valid_until < today
	):
		reasons.append(Reason("valid_until_past", _("Access Valid Until cannot be a date in the past.")))
	return reasons


def check_sections(sections: list[str]) -> Reason | None:
	"""None when `sections` are distinct portal section keys, else why not (nothing is dropped silently)."""
	if any(s not in PORTAL_SECTIONS for s in sections) or len(set(sections)) != len(sections):
		return Reason(
			"sections",
			_("Permitted sections must be distinct and among: {0}."),
			(", ".join(PORTAL_SECTIONS),),
		)
	return None
