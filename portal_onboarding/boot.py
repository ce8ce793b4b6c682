from portal_onboarding.core.status import STATUS_COLOURS


def extend_bootinfo(bootinfo: dict) -> None:
	"""Give Desk scripts the one status-to-colour map, so no screen keeps its own copy."""
	bootinfo["portal_onboarding"] = {"status_colours": STATUS_COLOURS}
