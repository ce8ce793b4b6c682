"""Logins made by Marley's "Invite as User" keep their access, now through a grant.

At install (and by a patch on sites that had the app before), each enabled Website User that is a
Patient's `user_id` and still carries that patient's email gets an Active Self account on that login,
audited as migrated. The email check keeps a `user_id` someone pointed elsewhere from being granted:
only the login Marley made for that very patient's address qualifies.
"""

import frappe
from frappe import _

from portal_onboarding.constants import (
	CAN_ACCESS,
	PATIENT,
	PATIENT_ROLE,
	PORTAL_ACCESS_FIELD,
	PORTAL_REASON_FIELD,
	AccountStatus,
	EventType,
)
from portal_onboarding.core.usernames import check_username, normalise_username
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.locks import lock_patient
from portal_onboarding.primitives.logins import username_taken
from portal_onboarding.primitives.patients import self_account
from portal_onboarding.security.actions import app_action

S = AccountStatus


def marley_logins() -> list[frappe._dict]:
	"""(patient, user, username) for every Patient whose `user_id` is Marley's login for its email."""
	patient, user = frappe.qb.DocType(PATIENT), frappe.qb.DocType("User")
	query = (
		frappe.qb.from_(patient)
		.join(user)
		.on(user.name == patient.user_id)
		.select(patient.name.as_("patient"), user.name.as_("user"), user.username)
		.where(
			(user.user_type == "Website User")
			& (user.enabled == 1)
			& (patient.email.isnotnull())
			& (user.email == patient.email)
		)
		.orderby(patient.name)
	)
	return query.run(as_dict=True)


@app_action
def migrate_marley_logins() -> list[str]:
	"""Give each Marley-made login an Active Self account on its patient; returns the accounts.

	Runs inside `install-app` and `bench migrate`, which must never stop on one patient's data: a login
	that cannot be migrated is left as it was, logged (Error Log and an audit event on the patient) and
	shown on the Patient, and every other login is still migrated.
	"""
	migrated = []
	for row in marley_logins():
		frappe.db.savepoint(SAVEPOINT)
		try:
			account = migrate_one(row)
		except Exception as e:
			frappe.db.rollback(save_point=SAVEPOINT)
			skip(row, e)
			continue
		if account:
			migrated.append(account)
	return migrated


SAVEPOINT = "portal_marley_login"


def migrate_one(row: frappe._dict) -> str | None:
	"""Move one Marley login onto its patient's Self account; None when an admin's decision stands."""
	patient_doc = lock_patient(row.patient)
	account = self_account(patient_doc)
	if account.status not in (S.NOT_ENABLED, S.ENABLED, S.INVITED, S.INVITE_EXPIRED, S.INVITE_FAILED):
		return None  # active, suspended or on its way out: an admin's decision stands
	if account.user and account.user != row.user:
		return None
	if patient_doc.get(PORTAL_ACCESS_FIELD) != CAN_ACCESS:
		patient_doc.db_set(PORTAL_ACCESS_FIELD, CAN_ACCESS, update_modified=False)
	if not frappe.db.exists("Has Role", {"parent": row.user, "role": PATIENT_ROLE}):
		frappe.get_doc("User", row.user).add_roles(PATIENT_ROLE)
	if account.status == S.NOT_ENABLED:
		account.status = S.ENABLED
		account.save(ignore_permissions=True)
	values = {"user": row.user, "status": S.ACTIVE, "activated_on": frappe.utils.now_datetime()}
	# The login's own username (Frappe gave it scrub(first_name)) goes on in the same save that links the
	# login: saved before the link, the login itself would hold the name the account asks for.
	name = normalise_username(row.username or "")
	if name and not check_username(name) and not username_taken(name, account.name, row.user):
		values["username"] = name
	account.update(values)
	account.save(ignore_permissions=True)
	log_event(
		EventType.ACCOUNT_MIGRATED,
		account.name,
		row.patient,
		_("Marley login {0} kept its access through this account").format(row.user),
	)
	return account.name


def skip(row: frappe._dict, error: Exception) -> None:
	"""Record a login left unmigrated where an admin sees it: Error Log, audit event, the Patient."""
	reason = frappe.utils.strip_html(str(error)) or error.__class__.__name__
	frappe.log_error(
		title=_("Portal Onboarding: Marley login {0} was not migrated").format(row.user),
		reference_doctype=PATIENT,
		reference_name=row.patient,
	)
	message = _(
		"The portal login {0} that Marley made for this patient was not moved to a portal account ({1}). "
		"It keeps no portal access until an admin invites the patient again."
	).format(row.user, reason)
	log_event(EventType.MIGRATION_SKIPPED, None, row.patient, message)
	frappe.db.set_value(PATIENT, row.patient, PORTAL_REASON_FIELD, message, update_modified=False)
	print(message)
