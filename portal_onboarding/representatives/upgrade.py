"""The age policy's arrival on a site that already has representatives."""

import frappe
from frappe import _
from frappe.utils import getdate, today

from portal_onboarding.constants import ACCOUNT, PATIENT, AccessType, AccountStatus, EventType
from portal_onboarding.core.age_policy import Stage, stage_on
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.settings import age_policy


def keep_adults_representatives() -> list[str]:
	"""Mark the representatives of patients who are adults today as proxies the adult keeps, so the
	policy (made for children growing up) does not end access an admin gave an adult's carer."""
	account, patient = frappe.qb.DocType(ACCOUNT), frappe.qb.DocType(PATIENT)
	rows = (
		frappe.qb.from_(account)
		.join(patient)
		.on(patient.name == account.patient)
		.select(account.name, account.patient, patient.dob)
		.where(
			(account.access_type == AccessType.REPRESENTATIVE)
			& (account.adult_proxy == 0)
			& (account.guardian_of_adult == 0)
			& (account.status != AccountStatus.NOT_ENABLED)
			& patient.dob.isnotnull()
		)
	).run(as_dict=True)
	policy, day = age_policy(), getdate(today())
	kept = [row for row in rows if stage_on(getdate(row.dob), day, policy) == Stage.ADULT]
	for row in kept:
		frappe.db.set_value(ACCOUNT, row.name, "adult_proxy", 1, update_modified=False)
		log_event(
			EventType.ACCESS_CHANGED,
			row.name,
			row.patient,
			_(
				"Kept as a proxy of an adult patient: this representative was given access before the "
				"age policy existed."
			),
		)
	return [row.name for row in kept]
