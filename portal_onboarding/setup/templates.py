"""The invitation Email Template: shipped at install, brought up to date by upgrades unless the clinic
edited it. Every text this app ever shipped is known by its fingerprint, so an unedited copy is told
apart from the clinic's own words without keeping anything on the site."""

import frappe
from frappe import _

from portal_onboarding.constants import INVITATION_TEMPLATE, SETTINGS
from portal_onboarding.core.upkeep import (
	INVITATION_SUBJECT,
	SHIPPED_INVITATION_HASHES,
	TemplateState,
	template_hash,
	template_state,
)

BODY_PATH = ("portal_onboarding", "templates", "emails", "portal_invitation.html")


def shipped_body() -> str:
	return frappe.read_file(frappe.get_app_path(*BODY_PATH))


def state_of(name: str = INVITATION_TEMPLATE) -> str:
	"""How the site's copy of the shipped template compares with this version's text."""
	row = frappe.db.get_value("Email Template", name, ["subject", "response_html"], as_dict=True)
	current = template_hash(INVITATION_SUBJECT, shipped_body())
	return template_state(
		template_hash(row.subject, row.response_html) if row else None,
		current,
		SHIPPED_INVITATION_HASHES - {current},
	)


def sync_invitation_template() -> str:
	"""Create the template, or replace an unedited earlier text with this version's; returns its state."""
	state = state_of()
	if state == TemplateState.MISSING:
		frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": INVITATION_TEMPLATE,
				"subject": INVITATION_SUBJECT,
				"use_html": 1,
				"response_html": shipped_body(),
			}
		).insert(ignore_permissions=True)
	elif state == TemplateState.SHIPPED_EARLIER:
		template = frappe.get_doc("Email Template", INVITATION_TEMPLATE)
		template.update({"subject": INVITATION_SUBJECT, "use_html": 1, "response_html": shipped_body()})
		template.save(ignore_permissions=True)
		print(_("Email Template {0} updated to this version's text.").format(INVITATION_TEMPLATE))
	elif state == TemplateState.EDITED:
		print(
			_(
				"Email Template {0} was edited on this site and is kept as it is; see Portal Onboarding Settings."
			).format(INVITATION_TEMPLATE)
		)
	if not frappe.db.get_single_value(SETTINGS, "invitation_email_template"):
		frappe.db.set_single_value(SETTINGS, "invitation_email_template", INVITATION_TEMPLATE)
	return state
