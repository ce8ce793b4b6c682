"""The one accessor for Portal Onboarding Settings."""

import frappe
from frappe.model.document import Document
from frappe.utils import cint

from portal_onboarding.constants import SETTINGS
from portal_onboarding.core.age_policy import (
	DEFAULT_MAJORITY_AGE,
	DEFAULT_PARTIAL_AGE,
	DEFAULT_PROXY_MONTHS,
	AgePolicy,
)
from portal_onboarding.core.eligibility import EligibilityRules
from portal_onboarding.core.medical_records import RELEASE_FIELDS, released_types


def get_settings() -> Document:
	"""The cached settings document (its controller is the doctype's, in the Frappe shell above this module)."""
	return frappe.get_cached_doc(SETTINGS)


def eligibility_rules() -> EligibilityRules:
	"""The settings that decide whether a patient may be enabled."""
	settings = get_settings()
	return EligibilityRules(
		require_email=bool(settings.require_email),
		require_home_zip=bool(settings.require_home_zip),
		require_identity_check=bool(settings.require_identity_check),
	)


def default_portal_sections() -> list[str]:
	"""The portal sections a new account starts with."""
	return [row.portal_section for row in get_settings().default_portal_sections]


def medical_record_types() -> tuple[str, ...]:
	"""The record types the clinic releases on the portal's Medical Records page, in display order."""
	settings = get_settings()
	return released_types({fieldname: settings.get(fieldname) for fieldname in RELEASE_FIELDS.values()})


def age_policy() -> AgePolicy:
	"""How a representative's access follows the patient's age (Representatives by Age)."""
	settings = get_settings()
	return AgePolicy(
		partial_age=cint(settings.partial_access_age) or DEFAULT_PARTIAL_AGE,
		partial_sections=frozenset(row.portal_section for row in settings.partial_access_sections),
		majority_age=cint(settings.majority_age) or DEFAULT_MAJORITY_AGE,
		assent_required=bool(settings.teen_assent_required),
	)


def proxy_max_months() -> int:
	"""The longest a proxy chosen by an adult patient may last before the patient renews it."""
	return cint(get_settings().proxy_max_months) or DEFAULT_PROXY_MONTHS
