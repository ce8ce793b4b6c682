"""The word index the onboarding report searches (`reporting.search`), made and filled for every patient."""

from portal_onboarding.setup.indexes import ensure_indexes


def execute() -> None:
	ensure_indexes()
