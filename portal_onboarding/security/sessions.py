"""Ending a login's sessions once the change that calls for it is committed."""

import frappe
from frappe.sessions import clear_sessions


def end_sessions_after_commit(user: str) -> None:
	"""End every session of `user` after the transaction commits, and never if it rolls back.

	Frappe's session deletion commits once per session; run inside an access change it would commit
	that change halfway and release the patient lock. The session this very request opened for
	`user` (an activation signing the person in) is kept.
	"""

	def end() -> None:
		keep_current = getattr(frappe.session, "user", None) == user
		clear_sessions(user=user, keep_current=keep_current, force=True)

	frappe.db.after_commit.add(end)
