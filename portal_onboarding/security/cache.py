"""Cached answers about a login that an access change must drop."""

import frappe


def forget_cached(key: str, user: str | None) -> None:
	"""Drop `user`'s cached answer under `key` now and once the change commits (a request running
	meanwhile could otherwise cache the old answer again)."""
	if not user:
		return

	def drop() -> None:
		frappe.cache.hdel(key, user)

	drop()
	frappe.db.after_commit.add(drop)
