from portal_onboarding.core.age_policy import TURNING_ADULT_DAYS
from portal_onboarding.core.status import STATUS_COLOURS
from portal_onboarding.settings import age_policy


def extend_bootinfo(bootinfo: dict) -> None:
	"""Give Desk scripts the one status-to-colour map, so no screen keeps its own copy; and the age of
	majority, which the onboarding report's "Turns 18 within 30 days" filter names."""
	bootinfo["portal_onboarding"] = {
		"status_colours": STATUS_COLOURS,
		"majority_age": age_policy().majority_age,
		"turning_adult_days": TURNING_ADULT_DAYS,
	}
