"""Sites that had the app before the Medical Records settings get their defaults (vital signs, diagnoses
and medications released; the rest not), so the page shows what the settings form says. A value the
site already holds is kept."""

import frappe

from portal_onboarding.constants import SETTINGS
from portal_onboarding.core.medical_records import DEFAULT_RELEASED, RELEASE_FIELDS


def execute() -> None:
	singles = frappe.qb.DocType("Singles")
	stored = set(
		frappe.qb.from_(singles)
		.select(singles.field)
		.where((singles.doctype == SETTINGS) & singles.field.isin(list(RELEASE_FIELDS.values())))
		.run(pluck=True)
	)
	for kind, fieldname in RELEASE_FIELDS.items():
		if fieldname not in stored:
			frappe.db.set_single_value(SETTINGS, fieldname, int(kind in DEFAULT_RELEASED))
