"""Each account's Last Login: Frappe's own record of the sign-in (User.last_login), kept on the account so
the account list shows, sorts and filters it from its own column, with no look-up per row."""

from typing import Any

import frappe

from portal_onboarding.constants import ACCOUNT


def on_login(login_manager: Any) -> None:
	"""on_login hook: Frappe runs it before the session that stamps User.last_login, and commits that
	stamp at once; the accounts copy it right after that commit."""
	user = login_manager.user
	if user and user != "Guest":
		frappe.db.after_commit.add(lambda: copy_last_login(user))


def last_login_of(user: str | None) -> Any:
	"""When the login last signed in, as Frappe recorded it; None without a login."""
	# User.last_login is a text field: an empty one means never.
	return (frappe.db.get_value("User", user, "last_login") or None) if user else None


def copy_last_login(user: str) -> None:
	"""Every account on the login shows its last sign-in; a sign-in is no edit, so modified stays."""
	stamp = last_login_of(user)
	for name in frappe.get_all(ACCOUNT, filters={"user": user}, pluck="name"):
		frappe.db.set_value(ACCOUNT, name, "last_login", stamp, update_modified=False)


def copy_all() -> None:
	"""Every account's last sign-in from its login, in one statement (the upgrade patch)."""
	frappe.db.sql(
		f"""update `tab{ACCOUNT}` a left join `tabUser` u on u.name = a.user
		set a.last_login = nullif(u.last_login, '')"""
	)
