from portal_onboarding.setup.indexes import ensure_indexes


def execute() -> None:
	"""Indexes for the onboarding report and bulk invitations, on sites installed before they existed."""
	ensure_indexes()
