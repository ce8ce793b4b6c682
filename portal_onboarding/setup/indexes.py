"""The indexes the onboarding report and bulk invitations need, declared once for install, patch and uninstall.

Besides the indexes on tables, the report's search has a word index, a table of its own
(`reporting.search`): made and filled for every patient when a site has none, dropped at uninstall.
"""

import frappe

from portal_onboarding.constants import ACCOUNT, BATCH_ITEM, INVITATION, PATIENT
from portal_onboarding.reporting import search

# (doctype, columns, index name, unique)
INDEXES: list[tuple[str, list[str], str, bool]] = [
	# The report's status filter, its order by name, and the grouped status counts.
	(PATIENT, ["portal_status", "patient_name"], "portal_status_patient_name", False),
	# The report's "invited from / to" filter.
	(PATIENT, ["portal_last_invited_on"], "portal_last_invited_on", False),
	# The report's "turns adult within 30 days": a range of dates of birth, a few patients in thousands.
	(PATIENT, ["dob"], "portal_dob", False),
	# The report's "now an adult" count: the few representatives whose access ended at majority.
	(ACCOUNT, ["aged_out_on"], "aged_out_on", False),
	# The funnel's reminded invitations, few among many.
	(INVITATION, ["reminders_sent", "account"], "reminders_sent_account", False),
	# One item per patient per batch, and a batch's pending patients in lock order.
	(BATCH_ITEM, ["batch", "patient"], "batch_patient", True),
	(BATCH_ITEM, ["batch", "outcome", "patient"], "batch_outcome_patient", False),
]

# Indexes on other apps' tables, dropped again at uninstall.
FOREIGN_TABLES = (PATIENT,)


def has_index(doctype: str, name: str) -> bool:
	return bool(frappe.db.has_index(f"tab{doctype}", name))


def ensure_indexes() -> None:
	for doctype, columns, name, unique in INDEXES:
		if not unique:
			frappe.db.add_index(doctype, columns, name)
		elif not has_index(doctype, name):
			# Not frappe.db.add_unique: its check reads information_schema without the schema, so a
			# constraint of the same name on another site of the same server counts as this one's.
			cols = ", ".join(f"`{c}`" for c in columns)
			frappe.db.sql_ddl(f"alter table `tab{doctype}` add unique index `{name}` ({cols})")
	if search.create():
		search.index_all()


def drop_indexes() -> None:
	for doctype, _columns, name, _unique in INDEXES:
		if doctype in FOREIGN_TABLES and has_index(doctype, name):
			frappe.db.sql_ddl(f"alter table `tab{doctype}` drop index `{name}`")
	search.drop()
