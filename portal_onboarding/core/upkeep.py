"""What an install or upgrade must not leave inert: the settings a new account starts from, reminders
that can fire, and shipped mail texts the clinic has not edited. Pure rules; the shell reads the site."""

import hashlib
from dataclasses import dataclass

from portal_onboarding.core.messages import Reason, _
from portal_onboarding.core.portal import SECTION_ROUTES
from portal_onboarding.core.reminders import ReminderPolicy, reminders_never_due

# A new site's Default Portal Sections: every section the portal has a page for.
DEFAULT_SECTIONS: tuple[str, ...] = tuple(SECTION_ROUTES)
# Reminder settings that earlier versions gave new sites: 3 days on 72-hour links, so none ever went out.
OLD_DEFAULT_REMINDER_AFTER_DAYS = 3
OLD_DEFAULT_LIFETIME_HOURS = 72
NEW_DEFAULT_REMINDER_AFTER_DAYS = 1

# The shipped invitation Email Template (portal_onboarding/templates/emails/portal_invitation.html).
INVITATION_SUBJECT = "{{ _('Your invitation to the {0} patient portal').format(clinic_name) }}"
# template_hash(INVITATION_SUBJECT, body) of every body shipped so far, the current one included; a unit test
# fails until a changed body's fingerprint is added here.
SHIPPED_INVITATION_HASHES = frozenset(
	{
		"0312a8f5618363fcb8959b2a21b2b52dea6ef52fe6d973cc851ae24fbb79b418",  # first invitations
		"14becea28f913354386b7cf47d7b7e144c0c52ca2c53cc357016c637bb21ee59",  # escaped names
		"dbdcf93d4ae9292b50a3e66da3e7d245b0a3314962a9c7e082a22043cd4316c1",  # re-verification
		"44c17e83a852ced9fd53eb21459ba24055b18604e9b8f77b1c76f6bc692d5e8c",  # reminders
		"51b758fe1ebdbdacf59d7b0926b655e4d4b693c9e0d06c3a2849c44993e22412",  # escaped again
		"9c6c2890bb5a543a025fde6edddc41a00aaf3e11158e9623b222fe7d678eebc4",  # current password to confirm
	}
)


class TemplateState:
	"""How the site's copy of a shipped Email Template compares with what this version ships."""

	CURRENT = "current"  # what this version ships
	SHIPPED_EARLIER = "shipped earlier"  # an earlier version's text, never edited: an upgrade replaces it
	EDITED = "edited"  # the clinic's own words: kept, and the admin is told a newer text exists
	MISSING = "missing"


def template_hash(subject: str | None, body: str | None) -> str:
	"""A fingerprint of a template's text, blind to line endings and surrounding whitespace."""
	text = "\n".join(line.rstrip() for line in f"{subject or ''}\n{body or ''}".strip().splitlines())
	return hashlib.sha256(text.encode()).hexdigest()


def template_state(site_hash: str | None, current_hash: str, earlier_hashes: frozenset[str]) -> str:
	"""Where the site's template stands: current, an unedited earlier text, edited, or missing."""
	if site_hash is None:
		return TemplateState.MISSING
	if site_hash == current_hash:
		return TemplateState.CURRENT
	if site_hash in earlier_hashes:
		return TemplateState.SHIPPED_EARLIER
	return TemplateState.EDITED


def sections_after_upgrade(sections: tuple[str, ...]) -> tuple[str, ...]:
	"""The Default Portal Sections a site keeps after an upgrade: its own, or the defaults when empty."""
	return sections or DEFAULT_SECTIONS


def reminder_days_after_upgrade(after_days: int, lifetime_hours: int) -> int:
	"""The old defaults, which never reminded anyone, become the new default; a clinic's choice stays."""
	if after_days == OLD_DEFAULT_REMINDER_AFTER_DAYS and lifetime_hours == OLD_DEFAULT_LIFETIME_HOURS:
		return NEW_DEFAULT_REMINDER_AFTER_DAYS
	return after_days


def new_account_sees(sections: tuple[str, ...]) -> tuple[str, ...]:
	"""The portal pages a new account opens with: personal details, then each default section with a page."""
	return ("Personal details", *(s for s in SECTION_ROUTES if s in sections))


@dataclass(frozen=True)
class SettingsFacts:
	"""What the settings form is told about, read from the settings and the site."""

	default_sections: tuple[str, ...]
	reminder_after_days: int
	max_reminders: int
	invitation_lifetime_hours: int
	template_name: str
	template: str
	# Portal Address for Mailed Links or the site's host_name is set.
	base_url_configured: bool = True


def notices(facts: SettingsFacts) -> list[Reason]:
	"""What makes a feature inert, or what an upgrade left as the clinic had it, for the settings form."""
	found = []
	if not facts.base_url_configured:
		found.append(
			Reason(
				"no_base_url",
				_(
					"No portal address is set: password resets and sign-up confirmations that visitors ask "
					"for are not mailed. Set Portal Address for Mailed Links (or host_name in the site config)."
				),
			)
		)
	if not any(s in SECTION_ROUTES for s in facts.default_sections):
		found.append(
			Reason(
				"no_sections",
				_(
					"Default Portal Sections is empty: new accounts will see only their personal details. "
					"Add the sections new accounts should see."
				),
			)
		)
	policy = ReminderPolicy(facts.reminder_after_days, facts.max_reminders)
	if reminders_never_due(policy, facts.invitation_lifetime_hours):
		found.append(
			Reason(
				"reminders_never_due",
				_(
					"Invitations expire after {0} hours, before their first reminder is due after {1} days, "
					"so no reminder will be sent."
				),
				(str(facts.invitation_lifetime_hours), str(facts.reminder_after_days)),
			)
		)
	if facts.template == TemplateState.EDITED:
		found.append(
			Reason(
				"template_edited",
				_(
					"The Email Template {0} was edited on this site, so upgrades keep it as it is. This version "
					"ships a newer text (it also words re-verification and reminder mails); compare it with "
					"portal_onboarding/templates/emails/portal_invitation.html."
				),
				(facts.template_name,),
			)
		)
	elif facts.template == TemplateState.MISSING:
		found.append(
			Reason(
				"template_missing",
				_("The Email Template {0} does not exist: invitations cannot be mailed until one is chosen."),
				(facts.template_name,),
			)
		)
	return found
