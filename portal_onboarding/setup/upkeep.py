"""Install and upgrades leave nothing inert: default sections for new accounts, sections for accounts
that never had any, reminders that can fire, and what the settings form tells the admin."""

import frappe
from frappe import _
from frappe.query_builder import Criterion
from frappe.utils import cint

from portal_onboarding.constants import ACCOUNT, EVENT, SECTION, SETTINGS, EventType
from portal_onboarding.core.age_policy import (
	DEFAULT_MAJORITY_AGE,
	DEFAULT_PARTIAL_AGE,
	DEFAULT_PARTIAL_SECTIONS,
	DEFAULT_PROXY_MONTHS,
)
from portal_onboarding.core.medical_records import DEFAULT_RELEASED, RELEASE_FIELDS
from portal_onboarding.core.upkeep import (
	SettingsFacts,
	TemplateState,
	new_account_sees,
	notices,
	reminder_days_after_upgrade,
	sections_after_upgrade,
)
from portal_onboarding.invitations.portal_access import set_permitted_sections
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.security.mailed_links import configured_base_url
from portal_onboarding.setup import templates

SAVEPOINT = "portal_account_sections"


def configured_sections() -> tuple[str, ...]:
	return tuple(
		frappe.get_all(
			SECTION,
			filters={"parenttype": SETTINGS, "parentfield": "default_portal_sections"},
			pluck="portal_section",
			order_by="idx asc",
		)
	)


def give_medical_record_defaults() -> None:
	"""Store the Medical Records defaults where the settings hold no value. A settings row saved before
	these fields existed (or by a step of the install that set another value first) would otherwise
	read them as unticked: a single doctype's defaults apply only while it has no row at all."""
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


def give_age_policy_defaults(upgrade: bool = False) -> None:
	"""Store the Representatives by Age and proxy defaults where the settings hold no value (see
	`give_medical_record_defaults`), and the partial years' sections when the table was never filled.

	`upgrade`: the patch that brings these fields, run once while they are new. A save of the whole
	settings earlier in the same migrate has already stored them (unticked, empty), so it gives every
	default whatever is stored: no admin can have chosen a value yet.
	"""
	defaults = {
		"partial_access_age": DEFAULT_PARTIAL_AGE,
		"majority_age": DEFAULT_MAJORITY_AGE,
		"teen_assent_required": 0,
		"invite_at_majority": 1,
		"proxy_max_months": DEFAULT_PROXY_MONTHS,
	}
	singles = frappe.qb.DocType("Singles")
	stored = set(
		frappe.qb.from_(singles)
		.select(singles.field)
		.where((singles.doctype == SETTINGS) & singles.field.isin(list(defaults)))
		.run(pluck=True)
	)
	for fieldname, value in defaults.items():
		if upgrade or fieldname not in stored:
			frappe.db.set_single_value(SETTINGS, fieldname, value)
	if (upgrade or not stored) and not frappe.db.exists(
		SECTION, {"parenttype": SETTINGS, "parentfield": "partial_access_sections"}
	):
		for idx, section in enumerate(DEFAULT_PARTIAL_SECTIONS, start=1):
			frappe.get_doc(
				{
					"doctype": SECTION,
					"parent": SETTINGS,
					"parenttype": SETTINGS,
					"parentfield": "partial_access_sections",
					"idx": idx,
					"portal_section": section,
				}
			).db_insert()
	frappe.clear_document_cache(SETTINGS, SETTINGS)


def give_default_sections() -> tuple[str, ...]:
	"""Fill an empty Default Portal Sections with every section that has a portal page."""
	current = configured_sections()
	sections = sections_after_upgrade(current)
	if sections != current:
		settings = frappe.get_single(SETTINGS)
		settings.set("default_portal_sections", [{"portal_section": s} for s in sections])
		settings.flags.ignore_mandatory = True
		settings.save(ignore_permissions=True)
	return sections


def accounts_never_given_sections() -> list[str]:
	"""Accounts with no permitted section that no admin ever changed the sections of."""
	account, section, event = (frappe.qb.DocType(d) for d in (ACCOUNT, SECTION, EVENT))
	# The account's on_update writes "<label>: before → after" for a sections change, in the site's language.
	label = frappe.get_meta(ACCOUNT).get_label("permitted_sections")
	labels = {f"%{label}:%", f"%{_(label)}:%"}
	with_sections = frappe.qb.from_(section).select(section.parent).where(section.parenttype == ACCOUNT)
	sections_changed = (
		frappe.qb.from_(event)
		.select(event.account)
		.where(
			(event.event_type == EventType.ACCESS_CHANGED)
			& (event.account.isnotnull())
			& Criterion.any([event.details.like(pattern) for pattern in labels])
		)
	)
	return (
		frappe.qb.from_(account)
		.select(account.name)
		.where(account.name.notin(with_sections) & account.name.notin(sections_changed))
		.orderby(account.name)
		.run(pluck=True)
	)


def give_accounts_default_sections() -> list[str]:
	"""Accounts made before defaults existed get them, each audited; one that fails is logged, not fatal."""
	sections = list(configured_sections())
	given = []
	for name in accounts_never_given_sections() if sections else []:
		frappe.db.savepoint(SAVEPOINT)
		try:
			set_permitted_sections(name, sections)  # its save writes the Access Changed event
		except Exception:
			frappe.db.rollback(save_point=SAVEPOINT)
			frappe.log_error(
				title=_("Portal Onboarding: account {0} kept no portal sections").format(name),
				reference_doctype=ACCOUNT,
				reference_name=name,
			)
			continue
		given.append(name)
	if given:
		log_event(
			EventType.ACCESS_CHANGED,
			None,
			None,
			_("{0} accounts made before Default Portal Sections existed were given: {1}").format(
				len(given), ", ".join(sections)
			),
		)
	return given


def wake_reminders() -> int:
	"""The old default reminder days, which never reminded anyone, become the new default."""
	after_days = cint(frappe.db.get_single_value(SETTINGS, "reminder_after_days"))
	lifetime = cint(frappe.db.get_single_value(SETTINGS, "invitation_lifetime_hours"))
	days = reminder_days_after_upgrade(after_days, lifetime)
	if days != after_days:
		frappe.db.set_single_value(SETTINGS, "reminder_after_days", days)
	return days


def settings_notices(settings: "frappe.Document") -> dict:
	"""What the settings form shows: what a new account will see, and what leaves a feature inert."""
	sections = tuple(row.portal_section for row in settings.default_portal_sections)
	name = settings.invitation_email_template or ""
	facts = SettingsFacts(
		default_sections=sections,
		reminder_after_days=cint(settings.reminder_after_days),
		max_reminders=cint(settings.max_reminders),
		invitation_lifetime_hours=cint(settings.invitation_lifetime_hours),
		template_name=name,
		template=template_state_of(name),
		base_url_configured=configured_base_url(settings) is not None,
	)
	return {
		"new_account_sees": [_(page) for page in new_account_sees(sections)],
		"notices": [reason.text(_) for reason in notices(facts)],
	}


def template_state_of(name: str) -> str:
	"""The shipped template is compared with what was shipped; a clinic's own template is its own."""
	if not name or not frappe.db.exists("Email Template", name):
		return TemplateState.MISSING
	return templates.state_of(name) if name == templates.INVITATION_TEMPLATE else TemplateState.CURRENT
