"""Sites that had the app before the portal pages: Marley's logins keep access through a grant, and
Marley's email-matched menu items and open registration form are switched off."""

from portal_onboarding.accounts.marley_logins import migrate_marley_logins
from portal_onboarding.setup.marley import replace_marley_portal


def execute() -> None:
	migrate_marley_logins()
	replace_marley_portal()
