"""The onboarding report's actions: refreshing rows in place and bulk invitations."""

import json

import frappe
from frappe import _

from portal_onboarding.bulk import batch as bulk_batch
from portal_onboarding.core.bulk import check_selection
from portal_onboarding.exceptions import InvalidInvitation, throw_reasons
from portal_onboarding.permissions import is_portal_admin
from portal_onboarding.reporting.report import check_report_access, rows_for


def check_bulk_access() -> None:
	if not is_portal_admin():
		frappe.throw(
			_("Only a System Manager or Portal Onboarding Manager can invite patients in bulk."),
			frappe.PermissionError,
		)
	frappe.has_permission("Patient", "read", throw=True)


def as_list(value: list[str] | str | None) -> object:
	if isinstance(value, str):
		try:
			return json.loads(value) if value.strip() else []
		except ValueError:
			return value
	return value


@frappe.whitelist(methods=["POST"])
def bulk_invite(patients: list[str] | str | None = None, all_eligible: bool | int | str = False) -> dict:
	"""Enable and invite the ticked patients, or every eligible one not yet invited, in the background."""
	check_bulk_access()
	selection, reasons = check_selection(as_list(patients), str(all_eligible).lower() in ("1", "true"))
	throw_reasons(reasons, InvalidInvitation, _("Nothing was invited"))
	return {"batch": bulk_batch.start(selection)}


@frappe.whitelist(methods=["POST"])
def rows(patients: list[str] | str) -> list[dict]:
	"""The report rows of these patients as they are now, to refresh them in place after an action."""
	check_report_access()
	names = as_list(patients)
	if not isinstance(names, list):
		frappe.throw(_("Patients must be a list of patient IDs."), exc=InvalidInvitation)
	return rows_for(names)


@frappe.whitelist(methods=["GET", "POST"])
def batch_status(batch: str) -> dict:
	"""Where a bulk invitation stands: status and counts."""
	check_bulk_access()
	return bulk_batch.status_of(batch)
