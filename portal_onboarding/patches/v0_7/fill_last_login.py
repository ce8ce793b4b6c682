"""Accounts made before Last Login existed show their login's last sign-in, as Frappe recorded it."""

from portal_onboarding.accounts.last_login import copy_all


def execute() -> None:
	copy_all()
