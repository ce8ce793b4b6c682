"""Marks the app's own writes, so neither Desk nor REST can change what only the app's actions may."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import frappe

P = ParamSpec("P")
R = TypeVar("R")

_DEPTH = "portal_onboarding_action_depth"


@contextmanager
def acting() -> Iterator[None]:
	"""Within this block, account and invitation writes come from the app itself.

	The mark lives on `frappe.local`, which no request can set, unlike document flags or fields.
	"""
	depth = getattr(frappe.local, _DEPTH, 0)
	setattr(frappe.local, _DEPTH, depth + 1)
	try:
		yield
	finally:
		setattr(frappe.local, _DEPTH, depth)


def app_action(fn: Callable[P, R]) -> Callable[P, R]:
	"""Decorate a service function whose writes to accounts and invitations are the app's own."""

	@wraps(fn)
	def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
		with acting():
			return fn(*args, **kwargs)

	return wrapper


def in_app_action() -> bool:
	return getattr(frappe.local, _DEPTH, 0) > 0
