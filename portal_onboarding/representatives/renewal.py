"""Who may give a proxy more time: the patient alone, from the portal's People page.

The patient's own change is marked on `frappe.local`, which no request can set (a document flag or
field could be sent with a Desk or REST save), as `security.actions` marks the app's own writes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import frappe
from frappe.utils import getdate, today

from portal_onboarding.core.proxies import end_change_problem
from portal_onboarding.exceptions import InvalidAccount, throw_reasons
from portal_onboarding.settings import proxy_max_months

_MARK = "portal_onboarding_patient_renewing"


@contextmanager
def by_the_patient() -> Iterator[None]:
	"""Within this block, a proxy's end date is the patient's own choice (People page actions only)."""
	depth = getattr(frappe.local, _MARK, 0)
	setattr(frappe.local, _MARK, depth + 1)
	try:
		yield
	finally:
		setattr(frappe.local, _MARK, depth)


def patient_renewing() -> bool:
	return getattr(frappe.local, _MARK, 0) > 0


def check_proxy_end(account: Any) -> None:
	"""The account controller's rule for a proxy of an adult: when its end date changes, the date is set,
	in the future and within the clinic's maximum, and only the patient moves it later."""
	if not account.adult_proxy:
		return
	before = None if account.is_new() else account.get_doc_before_save()
	if before is not None and not (
		account.has_value_changed("access_valid_until") or account.has_value_changed("adult_proxy")
	):
		return
	previous = before.access_valid_until if before is not None and before.adult_proxy else None
	reason = end_change_problem(
		getdate(previous) if previous else None,
		getdate(account.access_valid_until) if account.access_valid_until else None,
		patient_renewing(),
		getdate(today()),
		proxy_max_months(),
	)
	throw_reasons([reason] if reason else [], InvalidAccount)
