"""A carer on the new-patient form (the booking screen's quick entry too): checked at save, invited after.

Only the portal admin roles write the fields (their permission level, and this check). A save with bad
or missing carer details is refused with every problem listed; unticking the option saves the patient
without the invitation, the admin's own choice. After the save commits, a job invites the carer as an
Authorized Representative (with the SMS notice when a mobile is given and the clinic sends them) and
empties the fields: the account holds the details from then on.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html, strip_html

from portal_onboarding.constants import (
	CARER_ACCESS_FIELD,
	CARER_FIELDS,
	PATIENT,
	PORTAL_REASON_FIELD,
	Channel,
	EventType,
)
from portal_onboarding.core.carer import CarerDetails, check_carer
from portal_onboarding.exceptions import InvalidInvitation
from portal_onboarding.integrations.healthcare.refusals import refuse
from portal_onboarding.invitations import sending
from portal_onboarding.permissions import is_portal_admin
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.settings import get_settings


def details_of(doc: Document) -> CarerDetails:
	return CarerDetails(*(doc.get(field) for field in CARER_FIELDS))


def wanted(doc: Document) -> bool:
	"""The option is ticked on this save (the fields are emptied once the invitation exists)."""
	return bool(doc.get(CARER_ACCESS_FIELD))


def changed(doc: Document) -> bool:
	"""The option or a carer's detail is set on this save."""
	return doc.is_new() or any(doc.has_value_changed(f) for f in (CARER_ACCESS_FIELD, *CARER_FIELDS))


def clear(doc: Document) -> None:
	doc.set(CARER_ACCESS_FIELD, 0)
	for field in CARER_FIELDS:
		doc.set(field, None)


def validate(doc: Document) -> None:
	"""Patient validate: a non-admin's tick is cleared (and audited); an admin's needs good details."""
	if not wanted(doc):
		return
	if not is_portal_admin():
		if not changed(doc):
			return  # an admin's request still waiting for its job: not this user's to touch
		clear(doc)
		refuse(
			doc,
			_(
				"The carer was not invited: only a System Manager or Portal Onboarding Manager can give "
				"portal access. Please ask an admin to invite the carer."
			),
			_("Carer not invited"),
			_("{0} does not hold a portal admin role; the carer's invitation was cleared.").format(
				frappe.session.user
			),
		)
		return
	reasons = check_carer(details_of(doc))
	if reasons:
		problems = "".join(f"<li>{escape_html(r.text(_))}</li>" for r in reasons)
		frappe.throw(
			f"<ul>{problems}</ul>"
			+ _(
				"Correct the carer's details, or untick {0} to save the patient without inviting the carer."
			).format(frappe.bold(_("Give patient portal access to someone other than the patient"))),
			exc=InvalidInvitation,
			title=_("The carer's details need attention"),
		)


def after_save(doc: Document) -> None:
	"""Patient after_insert/on_update: the invitation's job, after the save commits."""
	if not wanted(doc) or not is_portal_admin():
		return
	frappe.enqueue(
		"portal_onboarding.jobs.invite_carer",
		patient=doc.name,
		enqueue_after_commit=True,
		job_id=f"portal_onboarding:carer:{doc.name}",
		deduplicate=True,
	)


def invite_carer(patient: str) -> None:
	"""The job: invite the carer from the Patient's fields, then empty them; a refusal shows on the Patient."""
	doc = frappe.db.get_value(PATIENT, patient, [CARER_ACCESS_FIELD, *CARER_FIELDS], as_dict=True)
	if not doc or not doc.get(CARER_ACCESS_FIELD):
		return  # already invited by an earlier run, or the option was unticked since
	details = CarerDetails(*(doc.get(field) for field in CARER_FIELDS))
	channel = Channel.BOTH if details.mobile and get_settings().send_sms_notice else Channel.EMAIL
	frappe.db.savepoint("portal_invite_carer")
	try:
		sending.invite(patient, channel=channel, representative=details.as_representative())
	except frappe.ValidationError as e:
		frappe.db.rollback(save_point="portal_invite_carer")
		reason = strip_html(str(e).replace("<br>", " ")) or _("The carer could not be invited.")
		frappe.db.set_value(PATIENT, patient, PORTAL_REASON_FIELD, reason, update_modified=False)
		log_event(EventType.INVITATION_FAILED, None, patient, reason)
		return
	frappe.db.set_value(
		PATIENT,
		patient,
		{CARER_ACCESS_FIELD: 0, **dict.fromkeys(CARER_FIELDS)},
		update_modified=False,
	)
