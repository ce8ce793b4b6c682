"""Sites that had the app before the Medical Records settings get their defaults (vital signs, diagnoses
and medications released; the rest not), so the page shows what the settings form says. A value the
site already holds is kept."""

from portal_onboarding.setup.upkeep import give_medical_record_defaults


def execute() -> None:
	give_medical_record_defaults()
