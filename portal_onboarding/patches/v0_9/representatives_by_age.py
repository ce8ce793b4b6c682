"""Sites that had the app before the age policy get its defaults, and the representatives their adult
patients already had keep their access: they were given it before the policy existed, so they become
proxies of the adult (audited on each account) instead of being cut off by the first daily run."""

from portal_onboarding.representatives.upgrade import keep_adults_representatives
from portal_onboarding.setup.upkeep import give_age_policy_defaults


def execute() -> None:
	give_age_policy_defaults(upgrade=True)
	keep_adults_representatives()
