"""Install and upgrade leave nothing inert: default sections, reminders that can fire, shipped texts."""

from pathlib import Path

import pytest

from portal_onboarding.constants import PORTAL_SECTIONS
from portal_onboarding.core.upkeep import (
	DEFAULT_SECTIONS,
	INVITATION_SUBJECT,
	SHIPPED_INVITATION_HASHES,
	SettingsFacts,
	TemplateState,
	new_account_sees,
	notices,
	reminder_days_after_upgrade,
	sections_after_upgrade,
	template_hash,
	template_state,
)

SHIPPED = Path(__file__).parents[2] / "portal_onboarding/templates/emails/portal_invitation.html"


def facts(**kw) -> SettingsFacts:
	values = {
		"default_sections": DEFAULT_SECTIONS,
		"reminder_after_days": 1,
		"max_reminders": 2,
		"invitation_lifetime_hours": 72,
		"template_name": "Patient Portal Invitation",
		"template": TemplateState.CURRENT,
	}
	return SettingsFacts(**{**values, **kw})


def test_defaults_are_the_sections_with_a_page():
	assert DEFAULT_SECTIONS == PORTAL_SECTIONS
	assert new_account_sees(DEFAULT_SECTIONS) == ("Personal details", *DEFAULT_SECTIONS)
	assert new_account_sees(("Invoices", "Unknown")) == ("Personal details", "Invoices")


def test_an_empty_setting_gets_the_defaults_and_a_clinics_choice_stays():
	assert sections_after_upgrade(()) == DEFAULT_SECTIONS
	assert sections_after_upgrade(("Appointments",)) == ("Appointments",)


@pytest.mark.parametrize(
	("days", "hours", "after"),
	[(3, 72, 1), (3, 96, 3), (2, 72, 2), (0, 72, 0)],
)
def test_only_the_old_defaults_that_never_reminded_wake(days, hours, after):
	assert reminder_days_after_upgrade(days, hours) == after


def test_the_shipped_template_is_among_the_known_texts():
	# A changed template needs its fingerprint added, or upgrades would treat it as the clinic's own.
	assert template_hash(INVITATION_SUBJECT, SHIPPED.read_text()) in SHIPPED_INVITATION_HASHES


def test_fingerprints_ignore_line_endings_and_outer_space():
	body = "<p>a</p>\n<p>b</p>\n"
	assert template_hash("s", body) == template_hash("s", body.replace("\n", "\r\n") + "  ")
	assert template_hash("s", body) != template_hash("s", body.replace("a", "c"))
	assert template_hash(None, None) == template_hash("", "")


def test_template_states():
	earlier = frozenset({"old"})
	assert template_state(None, "now", earlier) == TemplateState.MISSING
	assert template_state("now", "now", earlier) == TemplateState.CURRENT
	assert template_state("old", "now", earlier) == TemplateState.SHIPPED_EARLIER
	assert template_state("mine", "now", earlier) == TemplateState.EDITED


def test_a_healthy_configuration_has_no_notice():
	assert notices(facts()) == []


def test_each_inert_setting_is_named():
	codes = [
		r.code
		for r in notices(
			facts(
				default_sections=(),
				reminder_after_days=3,
				template=TemplateState.EDITED,
			)
		)
	]
	assert codes == ["no_sections", "reminders_never_due", "template_edited"]
	(missing,) = notices(facts(template=TemplateState.MISSING))
	assert missing.code == "template_missing"
	assert "Patient Portal Invitation" in missing.text()
	# Reminders switched off on purpose are no notice.
	assert notices(facts(reminder_after_days=0)) == []
