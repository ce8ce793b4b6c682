"""Keeping the read-only portal status on Patient, and the summary of its accounts, in step with them.

The onboarding report reads these columns of `tabPatient` only, so a page of 100 patients is one
index scan however many patients and accounts the clinic has.
"""

import frappe

from portal_onboarding.constants import (
	ACCOUNT,
	ACTIVATED_FIELD,
	CAN_ACCESS,
	HOME_ZIP_FIELD,
	LAST_INVITED_FIELD,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	PORTAL_STATUS_FIELD,
	REPRESENTATIVES_FIELD,
	AccessType,
)
from portal_onboarding.core.status import AccountState, patient_portal_status
from portal_onboarding.primitives.patients import HOME_ZIP_SQL, home_zip

# The unfiltered status counts and funnel of the onboarding report; dropped whenever a status may
# have changed (and the funnel when a link is first opened). The age counts (turning adult, now adult)
# go with them; what changes those without changing a patient's status drops them too (a date of
# birth edited, the daily age job ending a parent's access).
COUNTS_CACHE_KEY = "portal_onboarding:status_counts"
FUNNEL_CACHE_KEY = "portal_onboarding:funnel"
AGES_CACHE_KEY = "portal_onboarding:age_counts"
COUNTS_CACHE_SECONDS = 300


def compute_portal_status(patient: str) -> str:
	"""The status the patient should show, from its portal access toggle and its accounts."""
	access = frappe.db.get_value(PATIENT, patient, PORTAL_ACCESS_FIELD)
	accounts = frappe.get_all(
		ACCOUNT, filters={"patient": patient}, fields=["access_type", "status"], order_by="creation asc"
	)
	return patient_portal_status(
		access == CAN_ACCESS, [AccountState(a.access_type, a.status) for a in accounts]
	)


def refresh_portal_status(patient: str) -> str:
	"""Store the status and the accounts' summary on the Patient, without touching its modified time."""
	current = frappe.db.get_value(PATIENT, patient, [PORTAL_ACCESS_FIELD, PORTAL_STATUS_FIELD], as_dict=True)
	if current is None:
		return ""
	accounts = frappe.get_all(
		ACCOUNT,
		filters={"patient": patient},
		fields=["access_type", "status", "last_invited_on", "activated_on"],
		order_by="creation asc",
	)
	status = patient_portal_status(
		current.get(PORTAL_ACCESS_FIELD) == CAN_ACCESS,
		[AccountState(a.access_type, a.status) for a in accounts],
	)
	invited = [a.last_invited_on for a in accounts if a.last_invited_on]
	activated = [a.activated_on for a in accounts if a.activated_on]
	frappe.db.set_value(
		PATIENT,
		patient,
		{
			PORTAL_STATUS_FIELD: status,
			LAST_INVITED_FIELD: max(invited) if invited else None,
			ACTIVATED_FIELD: min(activated) if activated else None,
			REPRESENTATIVES_FIELD: sum(1 for a in accounts if a.access_type == AccessType.REPRESENTATIVE),
		},
		update_modified=False,
	)
	if current.get(PORTAL_STATUS_FIELD) != status:
		forget_status_counts()
	return status


def forget_status_counts() -> None:
	"""Drop the cached report counts, now and again after the commit (a reader may refill it before)."""
	keys = [COUNTS_CACHE_KEY, FUNNEL_CACHE_KEY, AGES_CACHE_KEY]
	frappe.cache.delete_value(keys)
	frappe.db.after_commit.add(lambda: frappe.cache.delete_value(keys))


def refresh_all_summaries() -> None:
	"""Recompute every Patient's account summary in one statement (install, patch, demo data)."""
	account = f"`tab{ACCOUNT}`"
	frappe.db.sql(
		f"""update `tabPatient` p left join (
			select patient, max(last_invited_on) as invited, min(activated_on) as activated,
				sum(access_type = %(rep)s) as representatives
			from {account} group by patient
		) a on a.patient = p.name
		set p.`{LAST_INVITED_FIELD}` = a.invited, p.`{ACTIVATED_FIELD}` = a.activated,
			p.`{REPRESENTATIVES_FIELD}` = ifnull(a.representatives, 0)""",
		{"rep": AccessType.REPRESENTATIVE},
	)

	frappe.db.sql(f"update `tabPatient` set `{HOME_ZIP_FIELD}` = {HOME_ZIP_SQL}")
	forget_status_counts()


def refresh_home_zip(patient: str) -> None:
	"""Store the patient's home ZIP code (what eligibility reads) for the onboarding report."""
	if frappe.db.exists(PATIENT, patient):
		frappe.db.set_value(PATIENT, patient, HOME_ZIP_FIELD, home_zip(patient), update_modified=False)
