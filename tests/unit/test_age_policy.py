from datetime import date

import pytest

from portal_onboarding.core.age_policy import (
	AgePolicy,
	Change,
	Representation,
	Stage,
	add_months,
	add_years,
	age_on,
	daily_change,
	default_proxy_end,
	majority_date,
	policy_problem,
	proxy_end_problem,
	representative_access,
	stage_on,
	turns_adult_within,
)

ALL = frozenset({"Appointments", "Lab Results", "Prescriptions", "Medical Records", "Invoices"})
POLICY = AgePolicy()
ASSENT = AgePolicy(assent_required=True)
DOB = date(2010, 6, 15)  # 12 on 2022-06-15, 18 on 2028-06-15


def rep(**kwargs) -> Representation:
	return Representation(**{"sections": ALL, "date_of_birth": DOB, **kwargs})


@pytest.mark.parametrize(
	("dob", "day", "age"),
	[
		(date(2010, 6, 15), date(2022, 6, 14), 11),
		(date(2010, 6, 15), date(2022, 6, 15), 12),
		(date(2008, 2, 29), date(2026, 2, 28), 17),
		(date(2008, 2, 29), date(2026, 3, 1), 18),
		(date(2008, 2, 29), date(2028, 2, 29), 20),
	],
)
def test_age_counts_whole_years_and_leap_birthdays_move_to_march(dob, day, age):
	assert age_on(dob, day) == age


def test_calendar_steps():
	assert add_years(date(2008, 2, 29), 18) == date(2026, 3, 1)
	assert add_years(date(2010, 6, 15), 18) == date(2028, 6, 15)
	assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
	assert add_months(date(2026, 8, 31), 18) == date(2028, 2, 29)
	assert add_months(date(2026, 12, 5), 18) == date(2028, 6, 5)
	assert default_proxy_end(date(2026, 12, 5), 24) == date(2028, 6, 5)
	assert default_proxy_end(date(2026, 12, 5), 6) == date(2027, 6, 5)


def test_stages_by_birthday():
	assert stage_on(DOB, date(2022, 6, 14), POLICY) == Stage.CHILD
	assert stage_on(DOB, date(2022, 6, 15), POLICY) == Stage.PARTIAL
	assert stage_on(DOB, date(2028, 6, 14), POLICY) == Stage.PARTIAL
	assert stage_on(DOB, date(2028, 6, 15), POLICY) == Stage.ADULT
	assert stage_on(None, date(2028, 6, 15), POLICY) == Stage.UNKNOWN
	# A birth date in the future is an error on file, never a child.
	assert stage_on(date(2030, 1, 1), date(2028, 6, 15), POLICY) == Stage.UNKNOWN
	assert stage_on(DOB, date(2023, 6, 15), AgePolicy(partial_age=13)) == Stage.PARTIAL
	assert stage_on(DOB, date(2023, 6, 14), AgePolicy(partial_age=13)) == Stage.CHILD


def test_a_child_keeps_every_section_the_account_has():
	access = representative_access(rep(), date(2022, 6, 14), POLICY)
	assert access.sections == ALL and not access.ended and not access.awaiting_assent


def test_the_partial_years_keep_only_the_policy_sections_the_account_had():
	assert representative_access(rep(), date(2022, 6, 15), POLICY).sections == {"Appointments"}
	only_labs = rep(sections=frozenset({"Lab Results"}))
	# Never a widening: the policy's sections are a ceiling, not a grant.
	assert representative_access(only_labs, date(2023, 1, 1), POLICY).sections == frozenset()


def test_assent_gates_the_partial_years_when_the_clinic_asks_for_it():
	waiting = representative_access(rep(), date(2023, 1, 1), ASSENT)
	assert waiting.awaiting_assent and waiting.sections == frozenset() and not waiting.ended
	given = representative_access(rep(assent_recorded=True), date(2023, 1, 1), ASSENT)
	assert given.sections == {"Appointments"} and not given.awaiting_assent
	# Assent is about the partial years only: a young child's parent is not asked for it.
	assert representative_access(rep(), date(2021, 1, 1), ASSENT).sections == ALL


def test_majority_ends_a_parents_access_unless_a_guardianship_is_on_file():
	adult_day = date(2028, 6, 15)
	assert representative_access(rep(), adult_day, POLICY).ended
	assert representative_access(rep(assent_recorded=True), adult_day, POLICY).ended
	kept = representative_access(rep(guardian_of_adult=True), adult_day, POLICY)
	assert kept.sections == ALL and not kept.ended
	until = rep(guardian_of_adult=True, guardianship_until=date(2030, 1, 1))
	assert not representative_access(until, date(2030, 1, 1), POLICY).ended
	assert representative_access(until, date(2030, 1, 2), POLICY).ended


def test_a_guardianship_does_not_widen_the_partial_years():
	teen = rep(guardian_of_adult=True)
	assert representative_access(teen, date(2023, 1, 1), POLICY).sections == {"Appointments"}


def test_a_missing_birth_date_never_widens_access():
	unknown = rep(date_of_birth=None)
	access = representative_access(unknown, date(2023, 1, 1), POLICY)
	assert access.sections == {"Appointments"} and not access.ended and access.stage == Stage.UNKNOWN
	# Not even with assent asked for: the teen's assent cannot be checked for an unknown age.
	assert representative_access(unknown, date(2023, 1, 1), ASSENT).sections == {"Appointments"}
	assert (
		representative_access(
			rep(date_of_birth=None, guardian_of_adult=True), date(2023, 1, 1), POLICY
		).sections
		== ALL
	)


def test_a_proxy_the_adult_chose_is_not_cut_by_age():
	proxy = rep(date_of_birth=date(1980, 1, 1), adult_proxy=True)
	assert representative_access(proxy, date(2026, 12, 5), POLICY).sections == ALL


def test_the_daily_change_shrinks_ends_or_leaves_alone_and_never_widens():
	assert daily_change(rep(), date(2022, 6, 14), POLICY).kind == Change.NONE
	shrink = daily_change(rep(), date(2022, 6, 15), POLICY)
	assert shrink.kind == Change.SHRINK and shrink.sections == {"Appointments"}
	# Already shrunk: the next day changes nothing.
	shrunk = rep(sections=frozenset({"Appointments"}))
	assert daily_change(shrunk, date(2022, 6, 16), POLICY).kind == Change.NONE
	assert daily_change(rep(), date(2028, 6, 15), POLICY).kind == Change.END
	assert daily_change(rep(guardian_of_adult=True), date(2028, 6, 15), POLICY).kind == Change.NONE
	waiting = daily_change(rep(), date(2023, 1, 1), ASSENT)
	assert waiting.kind == Change.SHRINK and waiting.sections == {"Appointments"}
	# A birth date staff correct back to childhood does not give the sections back.
	assert daily_change(shrunk, date(2021, 1, 1), POLICY).sections == {"Appointments"}


def test_turning_adult_within_days():
	assert majority_date(DOB, POLICY) == date(2028, 6, 15)
	assert turns_adult_within(DOB, date(2028, 5, 16), POLICY, 30)
	assert not turns_adult_within(DOB, date(2028, 5, 15), POLICY, 30)
	assert not turns_adult_within(DOB, date(2028, 6, 15), POLICY, 30)
	assert not turns_adult_within(None, date(2028, 6, 1), POLICY, 30)


def test_policy_settings_are_checked():
	known = {"Appointments", "Lab Results"}
	assert policy_problem(POLICY, known) is None
	assert policy_problem(AgePolicy(partial_age=18), known).code == "ages"
	assert policy_problem(AgePolicy(partial_age=0), known).code == "ages"
	assert policy_problem(AgePolicy(majority_age=30, partial_age=12), known).code == "majority"
	assert policy_problem(AgePolicy(partial_sections=frozenset({"Gossip"})), known).code == "sections"


def test_proxy_end_dates():
	day = date(2026, 12, 5)
	assert proxy_end_problem(None, day, 18).code == "proxy_end_missing"
	assert proxy_end_problem(day, day, 18).code == "proxy_end_past"
	assert proxy_end_problem(date(2028, 6, 5), day, 18) is None
	late = proxy_end_problem(date(2028, 6, 6), day, 18)
	assert late.code == "proxy_end_too_late" and "2028-06-05" in late.text()
