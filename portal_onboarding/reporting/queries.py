"""The onboarding report's SQL: one query for a page of rows, one grouped query for the counts.

Everything is computed in the database, for the page only: a clinic with 100,000 patients ships a
page of rows to the browser, never the table. The statements are written out rather than built with
frappe.qb because they are correlated subqueries over Frappe's own tables; every value a user typed
travels as a bound parameter, never as SQL text.
"""

from dataclasses import astuple, dataclass
from typing import Any

import frappe
from frappe.model.db_query import DatabaseQuery
from frappe.utils import add_days, getdate, today

from portal_onboarding.constants import (
	ACCOUNT,
	ACTIVATED_FIELD,
	HOME_ZIP_FIELD,
	INVITATION,
	LAST_INVITED_FIELD,
	PATIENT,
	REPRESENTATIVES_FIELD,
	AccessType,
	AccountStatus,
	InvitationStatus,
)
from portal_onboarding.core.age_policy import CANDIDATE_STATUSES
from portal_onboarding.core.bulk import NOT_YET_INVITED
from portal_onboarding.core.eligibility import EMAIL_PATTERN, ZIP_PATTERN, EligibilityRules
from portal_onboarding.core.onboarding_report import (
	SELF_REACHED,
	AgeWindow,
	Funnel,
	ReportFilters,
	merge_counts,
	turning_adult_window,
)
from portal_onboarding.core.patient_search import SearchTerm, prefix_pattern, search_terms
from portal_onboarding.primitives.status import (
	AGES_CACHE_KEY,
	COUNTS_CACHE_KEY,
	COUNTS_CACHE_SECONDS,
	FUNNEL_CACHE_KEY,
)
from portal_onboarding.reporting.search import TABLE as WORDS_TABLE
from portal_onboarding.settings import age_policy

# What other capabilities may use; the rest of this module is the capability's own.
__all__ = ["eligible_not_yet_invited"]

P = "`tabPatient`"

ACCOUNTS = f"`tab{ACCOUNT}`"
INVITATIONS = f"`tab{INVITATION}`"
WORDS = f"`{WORDS_TABLE}`"


@dataclass(frozen=True)
class Where:
	"""A WHERE clause over `tabPatient` and its bound values."""

	sql: str
	values: dict[str, Any]


def age_window() -> AgeWindow:
	"""Who turns adult within the report's look-ahead, by the site's today and age policy."""
	return turning_adult_window(getdate(today()), age_policy())


def patient_where(
	filters: ReportFilters,
	rules: EligibilityRules,
	with_status: bool = True,
	user: str | None = None,
	window: AgeWindow | None = None,
) -> Where:
	"""The filters as SQL, plus the user's own restrictions on Patient (user permissions, hooks)."""
	conditions: list[str] = []
	values: dict[str, Any] = {}
	if with_status and filters.status:
		values["status"] = filters.status
		if filters.status == AccountStatus.NOT_ENABLED:
			conditions.append(
				f"({P}.portal_status = %(status)s or {P}.portal_status is null or {P}.portal_status = '')"
			)
		else:
			conditions.append(f"{P}.portal_status = %(status)s")
	if filters.search:
		conditions.extend(search_conditions(search_terms(filters.search), values))
	if filters.invited_from:
		values["invited_from"] = filters.invited_from
		conditions.append(f"{P}.`{LAST_INVITED_FIELD}` >= %(invited_from)s")
	if filters.invited_to:
		values["invited_to"] = add_days(filters.invited_to, 1)
		conditions.append(f"{P}.`{LAST_INVITED_FIELD}` < %(invited_to)s")
	if filters.eligible_only:
		conditions.extend(eligibility_conditions(rules, values))
	if filters.turning_adult:
		conditions.append(turning_adult_condition(window or age_window(), values))
	match = DatabaseQuery(PATIENT, user=user).build_match_conditions(as_condition=True)
	if match:
		conditions.append(f"({match})")
	return Where(" and ".join(conditions) or "1=1", values)


def turning_adult_condition(window: AgeWindow, values: dict[str, Any]) -> str:
	"""Patients reaching majority within the window whose representative's access would end with it.

	A range on the date of birth (its own index: a few hundred patients of 100,000 are in it), then
	the patient's accounts on the `patient` index. Which representatives count: those the daily age
	job ends at majority, so not an adult proxy (the patient chose that one as an adult), only one that
	reaches the patient or is on its way to (not disabled, suspended or being deleted), and not a legal
	guardian of the adult whose guardianship still holds when the window ends.
	"""
	values.update(
		born_from=window.born_from,
		born_to=window.born_to,
		horizon=window.horizon,
		rep_type=AccessType.REPRESENTATIVE,
		ending_statuses=CANDIDATE_STATUSES,
	)
	return f"""({P}.dob between %(born_from)s and %(born_to)s and exists (
		select 1 from {ACCOUNTS} r where r.patient = {P}.name and r.access_type = %(rep_type)s
			and r.adult_proxy = 0 and r.status in %(ending_statuses)s
			and not (r.guardian_of_adult = 1
				and (r.guardianship_until is null or r.guardianship_until >= %(horizon)s))
	))"""


def search_conditions(terms: tuple[SearchTerm, ...], values: dict[str, Any]) -> list[str]:
	"""One condition per word typed: the patient has a word it looks up, each a range on the word index.

	Nothing left to look up (a search of punctuation alone) filters nothing.
	"""
	conditions = []
	for t, term in enumerate(terms):
		looks = []
		for p, prefix in enumerate(term.prefixes):
			values[f"search_{t}_{p}"] = prefix_pattern(prefix)
			looks.append(f"w.word like %(search_{t}_{p})s")
		if term.words:
			values[f"search_{t}_words"] = term.words
			looks.append(f"w.word in %(search_{t}_words)s")
		conditions.append(f"{P}.name in (select w.patient from {WORDS} w where {' or '.join(looks)})")
	return conditions


def eligibility_conditions(rules: EligibilityRules, values: dict[str, Any]) -> list[str]:
	"""`core.eligibility.check_eligibility` as SQL, with the very same patterns."""
	values["email_re"] = EMAIL_PATTERN
	values["zip_re"] = ZIP_PATTERN
	email = f"trim({P}.email)"
	conditions = []
	if rules.require_email:
		conditions.append(f"{email} regexp %(email_re)s")
	else:
		conditions.append(f"({P}.email is null or {email} = '' or {email} regexp %(email_re)s)")
	zip_code = f"trim({P}.`{HOME_ZIP_FIELD}`)"
	if rules.require_home_zip or rules.require_identity_check:
		conditions.append(f"{zip_code} regexp %(zip_re)s")
	else:
		conditions.append(f"(ifnull({zip_code}, '') = '' or {zip_code} regexp %(zip_re)s)")
	if rules.require_identity_check:
		conditions.append(f"{P}.dob is not null")
	return conditions


# The patient's own account when a reset link can reach it (Active, with a login and an address): one
# lookup on the unique `self_account_of` index per row of the page, never a scan.
RESET_ACCOUNT_SQL = f"""(
	select a.name from {ACCOUNTS} a
	where a.self_account_of = {P}.name and a.status = '{AccountStatus.ACTIVE}'
		and ifnull(a.user, '') != '' and ifnull(a.contact_email, '') != ''
)"""

# Whether a representative's access ended at the patient's majority (the daily age job set its
# `aged_out_on`): NULL when none did, else 1 when the patient's email address is a representative's
# (a child's record carries the parent's address; the age job refuses to invite it too), else 0; and
# then the patient's own account's status. Looked up (on the `patient` and unique `self_account_of`
# indexes) only for the page's patients who have a representative, as the Patient counts them.
HAS_REPRESENTATIVES = f"{P}.`{REPRESENTATIVES_FIELD}` > 0"
AGED_OUT_SQL = f"""if({HAS_REPRESENTATIVES}, (
	select if(max(r.aged_out_on is not null), max(ifnull(r.contact_email = lower(trim({P}.email)), 0)), null)
	from {ACCOUNTS} r where r.patient = {P}.name and r.access_type = '{AccessType.REPRESENTATIVE}'
), null)"""
SELF_STATUS_SQL = f"""if({HAS_REPRESENTATIVES},
	(select s.status from {ACCOUNTS} s where s.self_account_of = {P}.name), null)"""

ROW_COLUMNS = f"""{P}.name as patient, {P}.patient_name, {P}.email, {P}.mobile, {P}.dob,
	{P}.portal_status, {P}.portal_status_reason, {P}.`{LAST_INVITED_FIELD}` as last_invited_on,
	{P}.`{ACTIVATED_FIELD}` as activated_on, {P}.`{REPRESENTATIVES_FIELD}` as representatives,
	{P}.`{HOME_ZIP_FIELD}` as home_zip, {RESET_ACCOUNT_SQL} as reset_account,
	{AGED_OUT_SQL} as aged_out, {SELF_STATUS_SQL} as self_status"""


def page_rows(where: Where, filters: ReportFilters) -> list[frappe._dict]:
	"""One page of patients, by name, each with what its row shows.

	The page is cut first on the patient names alone, which the name index (or the status and name
	one) covers: the optimizer would otherwise sort the whole table to fetch 100 full rows. Only the
	page's rows are then read.
	"""
	return frappe.db.sql(
		f"""select {ROW_COLUMNS}
		from (
			select {P}.name from {P} where {where.sql}
			order by {P}.patient_name asc, {P}.name asc
			limit %(page_length)s offset %(offset)s
		) page join {P} on {P}.name = page.name
		order by {P}.patient_name asc, {P}.name asc""",
		{**where.values, "page_length": filters.page_length, "offset": filters.offset},
		as_dict=True,
	)


def rows_of(patients: list[str]) -> list[frappe._dict]:
	"""The rows of the given patients, as the report shows them (for refreshing a row in place)."""
	if not patients:
		return []
	return frappe.db.sql(
		f"select {ROW_COLUMNS} from {P} where {P}.name in %(patients)s",
		{"patients": tuple(patients)},
		as_dict=True,
	)


def status_counts(where: Where) -> dict[str, int]:
	"""Patients per portal status, from one grouped query.

	Without filters (the report as it opens) the answer is cached until a status changes: counting
	100,000 patients on every page turn would cost more than the page itself.
	"""
	unfiltered = where.sql == "1=1"
	if unfiltered and (cached := frappe.cache.get_value(COUNTS_CACHE_KEY, expires=True)):
		return cached
	counts = merge_counts(
		frappe.db.sql(
			f"select {P}.portal_status, count(*) from {P} where {where.sql} group by {P}.portal_status",
			where.values,
		)
	)
	if unfiltered:
		frappe.cache.set_value(COUNTS_CACHE_KEY, counts, expires_in_sec=COUNTS_CACHE_SECONDS)
	return counts


def age_counts(where: Where, window: AgeWindow) -> tuple[int, int]:
	"""Patients turning adult within the window (as the filter selects them), and patients now adult
	whose representative's access ended at their majority with no own account Invited or Active yet.

	The first is a range on the date of birth index, the second starts from the accounts the age job
	ended, on the `aged_out_on` index; together they cost the report a few milliseconds at 100,000
	patients, so, unfiltered, they are cached like the status counts: for the day and the age of
	majority they were counted for, until `portal_status.forget_status_counts`.
	"""
	unfiltered = where.sql == "1=1"
	stamp = [window.day.isoformat(), window.majority_age]
	if unfiltered and (cached := frappe.cache.get_value(AGES_CACHE_KEY, expires=True)):
		if cached[:2] == stamp:
			return cached[2], cached[3]
	counts = count_ages(where, window)
	if unfiltered:
		frappe.cache.set_value(AGES_CACHE_KEY, [*stamp, *counts], expires_in_sec=COUNTS_CACHE_SECONDS)
	return counts


def count_ages(where: Where, window: AgeWindow) -> tuple[int, int]:
	"""`age_counts` from the database, never from the cache."""
	values = {**where.values}
	turning = frappe.db.sql(
		f"select count(*) from {P} where {where.sql} and {turning_adult_condition(window, values)}",
		values,
	)[0][0]
	# Unfiltered, the accounts alone answer: joining every one to its Patient doubled the time.
	patients = "" if where.sql == "1=1" else f"join {P} on {P}.name = r.patient and {where.sql}"
	now_adult = frappe.db.sql(
		f"""select count(distinct r.patient) from {ACCOUNTS} r {patients}
		where r.aged_out_on is not null and r.access_type = %(rep_type)s
			and not exists (select 1 from {ACCOUNTS} s where s.self_account_of = r.patient
				and s.status in %(self_reached)s)""",
		{**where.values, "rep_type": AccessType.REPRESENTATIVE, "self_reached": tuple(SELF_REACHED)},
	)[0][0]
	return int(turning), int(now_adult)


def funnel(where: Where) -> Funnel:
	"""Accounts invited, whose link was opened, and activated, on the patients the filters select; and
	the accounts reminded, the reminders sent, and the accounts activated on a reminded invitation.

	An activated account opened its link, even when it did so before links recorded their opening.
	Reminded invitations are few, so they are counted from their side, on the `reminders_sent` index:
	joined to every account instead, MariaDB builds them again per account, which a search matching a
	third of the patients made take a second at 100,000 patients. Cached like the status counts when
	nothing filters it.
	"""
	unfiltered = where.sql == "1=1"
	if unfiltered and (cached := frappe.cache.get_value(FUNNEL_CACHE_KEY, expires=True)):
		return Funnel(*cached)
	counts = frappe.db.sql(
		f"""select count(*),
			ifnull(sum(a.activated_on is not null or exists (select 1 from {INVITATIONS} i
				where i.account = a.name and i.opened_on is not null)), 0),
			ifnull(sum(a.activated_on is not null), 0)
		from {ACCOUNTS} a join {P} on {P}.name = a.patient
		where a.last_invited_on is not null and {where.sql}""",
		where.values,
	)[0]
	reminded = frappe.db.sql(
		f"""select count(*), ifnull(sum(r.reminders), 0), ifnull(sum(a.activated_on is not null and r.accepted = 1), 0)
		from (
			select i.account, sum(i.reminders_sent) as reminders, max(i.status = %(accepted)s) as accepted
			from {INVITATIONS} i where i.reminders_sent > 0 group by i.account
		) r join {ACCOUNTS} a on a.name = r.account join {P} on {P}.name = a.patient
		where a.last_invited_on is not null and {where.sql}""",
		{**where.values, "accepted": InvitationStatus.ACCEPTED},
	)[0]
	result = Funnel(*(int(n) for n in (*counts, *reminded)))
	if unfiltered:
		frappe.cache.set_value(FUNNEL_CACHE_KEY, astuple(result), expires_in_sec=COUNTS_CACHE_SECONDS)
	return result


def eligible_not_yet_invited(rules: EligibilityRules, user: str | None = None) -> list[str]:
	"""Every eligible patient whose own account was never invited, or whose link died unused."""
	values: dict[str, Any] = {"statuses": NOT_YET_INVITED}
	conditions = [
		*eligibility_conditions(rules, values),
		f"""not exists (select 1 from {ACCOUNTS} a where a.patient = {P}.name
			and a.access_type = '{AccessType.SELF}' and a.status not in %(statuses)s)""",
	]
	match = DatabaseQuery(PATIENT, user=user).build_match_conditions(as_condition=True)
	if match:
		conditions.append(f"({match})")
	return frappe.db.sql_list(
		f"select {P}.name from {P} where {' and '.join(conditions)} order by {P}.name",
		values,
	)
