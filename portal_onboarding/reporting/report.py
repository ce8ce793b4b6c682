"""The Patient Portal Onboarding report: filters checked first, then one page of rows and the cards."""

from datetime import date
from typing import Any

import frappe
from frappe import _
from frappe.utils import getdate

from portal_onboarding.constants import ADMIN_ROLES
from portal_onboarding.core.eligibility import EligibilityRules, PatientFacts
from portal_onboarding.core.onboarding_report import (
	NOW_ADULT_PARENT_EMAIL,
	age_cards,
	email_action,
	normalise_status,
	now_adult_reason,
	page_label,
	parse_filters,
	row_reasons,
	status_cards,
)
from portal_onboarding.core.status import colour
from portal_onboarding.exceptions import reason_text
from portal_onboarding.permissions import is_portal_admin
from portal_onboarding.reporting import queries
from portal_onboarding.settings import eligibility_rules


def may_see_report() -> bool:
	"""Only the portal admin roles see the onboarding report, whatever the Report's own roles say."""
	return is_portal_admin() and bool(frappe.has_permission("Patient", "read"))


def access_refusal() -> str:
	return _("Only {0} can see patients' portal onboarding.").format(" / ".join(_(r) for r in ADMIN_ROLES))


def check_report_access() -> None:
	if not may_see_report():
		frappe.throw(access_refusal(), frappe.PermissionError)


def refuse(message: str, title: str | None = None) -> str:
	"""Show the refusal as Frappe shows errors, and return it for the report's status line."""
	frappe.msgprint(message, title=title or _("Not Permitted"), indicator="red")
	return message


def columns() -> list[dict[str, Any]]:
	return [
		{
			"fieldname": "patient",
			"label": _("Patient"),
			"fieldtype": "Link",
			"options": "Patient",
			"width": 150,
		},
		{"fieldname": "patient_name", "label": _("Patient Name"), "fieldtype": "Data", "width": 180},
		{"fieldname": "email", "label": _("Email"), "fieldtype": "Data", "width": 210},
		{"fieldname": "mobile", "label": _("Mobile"), "fieldtype": "Data", "width": 120},
		{"fieldname": "home_zip", "label": _("Home ZIP Code"), "fieldtype": "Data", "width": 100},
		{"fieldname": "portal_status", "label": _("Portal Status"), "fieldtype": "Data", "width": 140},
		{"fieldname": "reason", "label": _("Reason"), "fieldtype": "Data", "width": 260},
		{
			"fieldname": "last_invited_on",
			"label": _("Last Invited On"),
			"fieldtype": "Datetime",
			"width": 160,
		},
		{"fieldname": "activated_on", "label": _("Activated On"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "representatives", "label": _("Representatives"), "fieldtype": "Int", "width": 110},
	]


def report_data(raw: dict) -> tuple[list[dict], str, list[dict]]:
	"""The page of rows, the paging message and the summary cards.

	Refusals are answered, not raised: Frappe arms a timer around a report's execution that, when
	the execution raises, later switches the report to "prepared" mode for everyone.
	"""
	if not may_see_report():
		return [], refuse(access_refusal()), []
	filters, reasons = parse_filters(raw)
	if reasons:
		return [], refuse("<br>".join(reason_text(r) for r in reasons), _("Check the filters")), []
	rules = eligibility_rules()
	window = queries.age_window()
	where = queries.patient_where(filters, rules, window=window)
	memo: dict[str, str] = {}
	rows = [build_row(row, rules, memo) for row in queries.page_rows(where, filters)]

	# The cards ignore the status filter: they show where every patient the other filters select stands.
	unfiltered = queries.patient_where(filters, rules, with_status=False, window=window)
	counts = queries.status_counts(unfiltered)
	total = counts[filters.status] if filters.status else sum(counts.values())
	template, args = page_label(filters, total)
	message = _(template).format(*args)
	summary = [card_dict(card) for card in status_cards(counts)]
	funnel = queries.funnel(unfiltered)
	summary += [card_dict(card) for card in (*funnel.cards(), *funnel.reminder_cards())]
	summary += [card_dict(card) for card in age_cards(*queries.age_counts(unfiltered, window), window)]
	return rows, message, summary


def card_dict(card: Any) -> dict:
	return {
		"value": card.value,
		"label": _(card.label).format(*card.args),
		"indicator": card.indicator,
		"datatype": card.datatype,
	}


def build_row(row: dict, rules: EligibilityRules, memo: dict[str, str] | None = None) -> dict:
	"""A report row: the status and its colour from the one map, and why the patient is not on yet.

	The query's row is reused as it is: a page is 100 of these, built on every page turn.
	"""
	status = normalise_status(row["portal_status"])
	dob = row["dob"]
	facts = PatientFacts(
		row["email"], row["home_zip"], dob if dob is None or isinstance(dob, date) else getdate(dob)
	)
	self_status = row.pop("self_status")
	adult = now_adult_reason(row.pop("aged_out"), self_status)
	# A patient grown out of their parent's account is invited to their own: its status, not the
	# parent's (which speaks for a patient without an account of their own), decides the invitation.
	invited_status = normalise_status(self_status) if adult else status
	reasons = row_reasons(facts, rules, invited_status)
	memo = {} if memo is None else memo  # each sentence translated once per page
	# Why the last send failed comes first: it is what the admin can act on right now.
	row["reason"] = row.pop("portal_status_reason") or "; ".join(
		(memo.get(r.message) or memo.setdefault(r.message, _(r.message))).format(*r.args)
		for r in ((adult, *reasons) if adult else reasons)
	)  # plain text: the report's formatter escapes every text cell
	del row["dob"]
	row["portal_status"] = status
	row["representatives"] = int(row["representatives"] or 0)
	row["status_colour"] = colour(status)
	row["eligible"] = not reasons
	row["now_adult"] = adult is not None
	row["email_action"] = email_action(
		invited_status,
		row["email"],
		row["eligible"] and adult is not NOW_ADULT_PARENT_EMAIL,
		row["reset_account"],
	)
	return row


def rows_for(patients: list[str]) -> list[dict]:
	"""Fresh rows for patients the report shows, so an action can refresh its row in place."""
	check_report_access()
	names = [p for p in patients if isinstance(p, str)][:500]
	allowed = (
		set(frappe.get_list("Patient", filters={"name": ("in", names)}, pluck="name")) if names else set()
	)
	rules, memo = eligibility_rules(), {}
	return [build_row(row, rules, memo) for row in queries.rows_of([p for p in names if p in allowed])]
