"""Sites that had the app before defaults: new accounts start with the sections that have pages, the
accounts made before get them too (audited), and the old reminder defaults, which never fired, wake."""

from portal_onboarding.setup.upkeep import (
	give_accounts_default_sections,
	give_default_sections,
	wake_reminders,
)


def execute() -> None:
	give_default_sections()
	give_accounts_default_sections()
	wake_reminders()
