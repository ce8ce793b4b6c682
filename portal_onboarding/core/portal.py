"""Rules of the patient portal: which patient a login is looking at, which sections it sees, and
which lab values fall outside their normal range."""

import re
from dataclasses import dataclass

# Section keys (the ones permitted-sections tables use) and the /portal page that shows each.
SECTION_ROUTES: dict[str, str] = {
	"Appointments": "appointments",
	"Lab Results": "lab-results",
	"Prescriptions": "prescriptions",
	"Medical Records": "medical-records",
	"Invoices": "invoices",
	"Documents": "documents",
	"Forms": "forms",
}
# Personal details belong to every grant: the patient's own name, birth date and contacts.
PERSONAL_DETAILS_ROUTE = "personal-details"

_NUMBER = r"[-+]?\d+(?:[.,]\d+)?"
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*(?:-|\u2013|to)\s*({_NUMBER})\s*")
_UPPER = re.compile(rf"^\s*(?:<|<=|≤|up to)\s*({_NUMBER})")
_LOWER = re.compile(rf"^\s*(?:>|>=|≥)\s*({_NUMBER})")


@dataclass(frozen=True)
class Grant:
	"""One patient a login may act for, and the sections its account permits."""

	patient: str
	sections: frozenset[str]
	is_self: bool = False
	# A representative of a patient in the partial years, waiting for the patient's assent: the home
	# page only, with no section and no personal details.
	awaiting_assent: bool = False


def choose_patient(grants: list[Grant], requested: str | None, remembered: str | None) -> Grant | None:
	"""The patient the portal shows: the one just chosen, else the one remembered in the session, else
	the first. A name that is not granted is never chosen, whoever typed it."""
	by_patient = {grant.patient: grant for grant in grants}
	for candidate in (requested, remembered):
		if candidate and candidate in by_patient:
			return by_patient[candidate]
	return grants[0] if grants else None


def visible_sections(grant: Grant | None) -> list[tuple[str, str]]:
	"""(section key, route) of the sections the grant permits that the portal has pages for."""
	if grant is None:
		return []
	return [(key, route) for key, route in SECTION_ROUTES.items() if key in grant.sections]


def section_allowed(grant: Grant | None, section: str) -> bool:
	"""Whether the grant opens `section`; unknown sections never open."""
	return grant is not None and section in SECTION_ROUTES and section in grant.sections


def _number(text: str) -> float:
	return float(text.replace(",", "."))


def out_of_range(value: str | None, normal_range: str | None) -> bool:
	"""True when a numeric result lies outside a range written like "3.5 - 5.0", "< 200" or "> 40".

	Text results and ranges this cannot read are never marked: an unmarked value is not a claim.
	"""
	if not value or not normal_range:
		return False
	try:
		result = _number(value.strip())
	except ValueError:
		return False
	if match := _RANGE.match(normal_range):
		low, high = sorted((_number(match.group(1)), _number(match.group(2))))
		return not low <= result <= high
	if match := _UPPER.match(normal_range):
		return result > _number(match.group(1))
	if match := _LOWER.match(normal_range):
		return result < _number(match.group(1))
	return False
