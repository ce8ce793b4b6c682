from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from portal_onboarding.primitives.status import refresh_all_summaries
from portal_onboarding.setup.indexes import ensure_indexes
from portal_onboarding.setup.install import CUSTOM_FIELDS


def execute() -> None:
	"""The onboarding report's columns (account summary, home ZIP code) and indexes, on older sites."""
	# Patches run before after_migrate, which would add the new summary fields only afterwards.
	create_custom_fields(CUSTOM_FIELDS, ignore_validate=True)
	ensure_indexes()
	refresh_all_summaries()
