"""When an account marked for deletion loses its personal details."""

from datetime import datetime, timedelta


def purge_after(marked_on: datetime, days: int) -> datetime:
	"""The moment an account marked Pending Delete at `marked_on` is due for deletion."""
	return marked_on + timedelta(days=days)


def purge_cutoff(now: datetime, days: int) -> datetime:
	"""Accounts marked at or before this moment are due now."""
	return now - timedelta(days=days)


def is_due(marked_on: datetime | None, now: datetime, days: int) -> bool:
	"""True once `days` have passed since the mark; an account without a mark date is never due."""
	return marked_on is not None and now >= purge_after(marked_on, days)
