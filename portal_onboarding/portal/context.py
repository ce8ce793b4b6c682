"""The context every /portal page starts from: the login's grants and the patient it looks at."""

from typing import Any

import frappe
from frappe import _
from frappe.utils import getdate, today

from portal_onboarding.core.age_policy import Stage, stage_on
from portal_onboarding.core.portal import (
	PERSONAL_DETAILS_ROUTE,
	Grant,
	choose_patient,
	section_allowed,
	visible_sections,
)
from portal_onboarding.permissions import grants_with_sections
from portal_onboarding.settings import age_policy

# What other capabilities may use; the rest of this module is the capability's own.
__all__ = ["PEOPLE_ROUTE", "current_grant", "own_adult_record", "portal_context", "remember_patient"]

PEOPLE_ROUTE = "/portal/people"

CHOICE_KEY = "portal_onboarding:chosen_patient:{sid}"
CHOICE_SECONDS = 7 * 24 * 60 * 60


def remembered_patient() -> str | None:
	return frappe.cache.get_value(CHOICE_KEY.format(sid=frappe.session.sid))


def remember_patient(patient: str) -> None:
	"""The choice lives with the session: a URL parameter never picks the patient."""
	frappe.cache.set_value(CHOICE_KEY.format(sid=frappe.session.sid), patient, expires_in_sec=CHOICE_SECONDS)


def require_login(path: str) -> None:
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = f"/login?redirect-to={path}"
		raise frappe.Redirect


def current_grant(grants: list[Grant]) -> Grant | None:
	return choose_patient(grants, None, remembered_patient())


def own_adult_record(grant: Grant | None) -> bool:
	"""Whether the grant is the login's own (Self) record of a patient who is an adult today: the one
	who chooses proxies. A minor, or a patient without a date of birth, does not."""
	if grant is None or not grant.is_self:
		return False
	dob = frappe.db.get_value("Patient", grant.patient, "dob")
	return stage_on(getdate(dob) if dob else None, getdate(today()), age_policy()) == Stage.ADULT


def portal_context(context: Any, path: str, section: str | None = None) -> Grant | None:
	"""Fill the shared parts of a portal page; refuse (403, nothing shown) a section not granted."""
	require_login(path)
	grants = grants_with_sections()
	grant = current_grant(grants)
	if section is not None and not section_allowed(grant, section):
		raise frappe.PermissionError(_("This part of the portal is not available to you."))
	names = dict(
		frappe.get_all(
			"Patient",
			filters={"name": ("in", [g.patient for g in grants] or [""])},
			fields=["name", "patient_name"],
			as_list=True,
		)
	)
	context.portal_patients = [
		{"patient": g.patient, "patient_name": names.get(g.patient, g.patient)} for g in grants
	]
	context.portal_grant = grant
	context.portal_patient_name = names.get(grant.patient) if grant else None
	context.portal_sections = [
		{"key": key, "label": _(key), "route": f"/portal/{route}"} for key, route in visible_sections(grant)
	]
	if grant and not grant.awaiting_assent:
		context.portal_sections.append(
			{
				"key": "Personal Details",
				"label": _("Personal details"),
				"route": f"/portal/{PERSONAL_DETAILS_ROUTE}",
			}
		)
	if own_adult_record(grant):
		context.portal_sections.append(
			{"key": "People", "label": _("People who can see my record"), "route": PEOPLE_ROUTE}
		)
	context.portal_active = path
	context.show_sidebar = False
	context.no_cache = 1
	return grant
