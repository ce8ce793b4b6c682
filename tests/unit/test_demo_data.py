from collections import Counter
from datetime import datetime, timedelta

import pytest

from portal_onboarding.constants import AccessType, AccountStatus, InvitationStatus
from portal_onboarding.core.age_policy import (
	TURNING_ADULT_DAYS,
	AgePolicy,
	Stage,
	add_months,
	majority_date,
	stage_on,
	turns_adult_within,
)
from portal_onboarding.core.demo.generator import DemoGenerator
from portal_onboarding.core.demo.invitations import between
from portal_onboarding.core.demo.names import (
	DEMO_DOMAINS,
	DEMO_PREFIX,
	MAX_NUMBER,
	MAX_PATIENTS,
	account_name,
	address_name,
	ascii_slug,
	check_patient_count,
	demo_number,
	invitation_name,
	patient_name,
)
from portal_onboarding.core.demo.plan import AGES_EVERY, BLOCK
from portal_onboarding.core.status import AccountState, patient_portal_status
from portal_onboarding.core.usernames import check_username

S = AccountStatus
NOW = datetime(2026, 3, 1, 12, 0, 0)
INVITATION_FOR = {
	S.INVITED: InvitationStatus.SENT,
	S.ACTIVE: InvitationStatus.ACCEPTED,
	S.SUSPENDED: InvitationStatus.ACCEPTED,
	S.INVITE_EXPIRED: InvitationStatus.EXPIRED,
	S.INVITE_FAILED: InvitationStatus.FAILED,
}


TODAY = NOW.date()
POLICY = AgePolicy()


def people(count=1000, genders=("Female", "Male"), hours=72, seed=7, start=1, policy=None):
	return list(DemoGenerator(NOW, genders, hours, seed=seed, policy=policy).patients(start, count))


def stage(p, policy=POLICY):
	return stage_on(p.dob, TODAY, policy)


def aged_out(p):
	return any(a.aged_out_on for a in p.accounts)


def turning_adult(p, policy=POLICY):
	"""What the report's filter selects: majority within 30 days, a representative the age job ends."""
	return turns_adult_within(p.dob, TODAY, policy, TURNING_ADULT_DAYS) and any(
		a.access_type == AccessType.REPRESENTATIVE
		and not a.adult_proxy
		and a.status in (S.ENABLED, S.INVITED, S.ACTIVE, S.INVITE_EXPIRED, S.INVITE_FAILED)
		for a in p.accounts
	)


def test_names_carry_the_prefix_and_the_number():
	assert patient_name(42) == "PO-DEMO-0000042"
	assert account_name(42) == "PO-DEMO-ACC-0000042"
	assert account_name(42, representative=True) == "PO-DEMO-ACC-0000042-R"
	assert invitation_name(7, representative=True) == "PO-DEMO-INV-0000007-R"
	assert address_name(7) == "PO-DEMO-ADR-0000007"
	assert all(name.startswith(DEMO_PREFIX) for name in (account_name(1), address_name(1)))
	person = people(1)[0]
	assert person.patient_name == f"{person.first_name} {person.last_name}"


@pytest.mark.parametrize(
	"name,number",
	[
		("PO-DEMO-0000042", 42),
		("PO-DEMO-ACC-0000042", None),
		("PO-DEMO-004", None),
		("HLC-PAT-2026-00001", None),
		("PO-DEMO-00000x1", None),
	],
)
def test_demo_number_reads_only_demo_patient_names(name, number):
	assert demo_number(name) == number


def test_patient_count_is_bounded_and_numbers_must_fit():
	assert check_patient_count(1, 1) is None
	assert check_patient_count(MAX_PATIENTS, 1) is None
	assert check_patient_count(0, 1).code == "demo_count"
	assert check_patient_count(MAX_PATIENTS + 1, 1).code == "demo_count"
	reason = check_patient_count(10, MAX_NUMBER - 5)
	assert reason.code == "demo_numbers_used"
	assert reason.text() == "Only 6 more demo patients fit after the existing ones; remove them first."


def test_ascii_slug_keeps_letters_and_digits_only():
	assert ascii_slug("Zoë") == "zoe"
	assert ascii_slug("O'Brien") == "obrien"
	assert ascii_slug("van der Berg") == "vanderberg"
	assert ascii_slug("Min-ji") == "minji"


def test_between_is_low_for_an_empty_window():
	low = NOW.replace(microsecond=500)
	assert between(None, low, low - timedelta(hours=1)) == NOW


def test_same_seed_same_people_and_numbers_follow_start():
	assert people(60) == people(60)
	assert people(60, seed=1) != people(60, seed=2)
	assert [p.number for p in people(3, start=500)] == [500, 501, 502]


def test_every_block_has_the_whole_spread_of_statuses():
	first_block = people(BLOCK)
	assert {p.portal_status for p in first_block} == {
		S.NOT_ENABLED,
		S.ENABLED,
		S.INVITED,
		S.ACTIVE,
		S.INVITE_EXPIRED,
		S.INVITE_FAILED,
		S.SUSPENDED,
	}
	counts = Counter(p.portal_status for p in people(1000))
	assert counts[S.NOT_ENABLED] == 680
	assert counts[S.ACTIVE] == 100


def test_missing_details_shared_emails_and_addresses_in_realistic_shares():
	group = people(1000)
	without_email = [p for p in group if not p.email]
	assert len(without_email) == 80
	assert sum(1 for p in group if p.address is None) == 100
	assert sum(1 for p in group if p.address and not p.address.pincode) == 20
	assert sum(1 for p in group if p.dob is None) == 20
	emails = Counter(p.email for p in group if p.email)
	shared = {email: n for email, n in emails.items() if n > 1}
	assert len(shared) == 1000 // BLOCK
	assert set(shared.values()) <= {2, 3, 4}
	assert all(email.split("@")[1] in DEMO_DOMAINS for email in emails)
	assert all(len(p.address.pincode) == 5 for p in group if p.address and p.address.pincode)
	assert 0 < sum(1 for p in group if not p.mobile) < 200


def test_patients_with_access_have_what_eligibility_asks_for():
	for p in people(1000):
		if p.portal_access:
			assert p.email and p.dob and p.address and p.address.pincode, p


def test_status_access_and_accounts_agree():
	for p in people(1000):
		states = [AccountState(a.access_type, a.status) for a in p.accounts]
		assert p.portal_status == patient_portal_status(p.portal_access, states)
		assert p.portal_access == (p.portal_status != S.NOT_ENABLED)
		assert bool(p.accounts) == (p.portal_access or any(a.status == S.NOT_ENABLED for a in p.accounts))
		assert sum(1 for a in p.accounts if a.access_type == AccessType.SELF) <= 1
		assert bool(p.status_reason) == (p.portal_status == S.INVITE_FAILED)


def test_representatives_speak_for_children_and_some_adults():
	group = people(1000)
	reps = [(p, a) for p in group for a in p.accounts if a.access_type == AccessType.REPRESENTATIVE]
	assert reps
	assert all(a.relation for _p, a in reps)
	assert any(len(p.accounts) == 2 for p in group)
	children = [p for p in group if stage(p) in (Stage.CHILD, Stage.PARTIAL) and p.accounts]
	assert children
	assert all(p.accounts[0].access_type == AccessType.REPRESENTATIVE for p in children)
	assert all(
		a.access_type == AccessType.SELF
		for p in group
		if stage(p) == Stage.ADULT
		for a in p.accounts[:1]
		if not aged_out(p)
	)


def test_children_are_of_every_age_up_to_majority():
	group = people(1000)
	ages = {
		TODAY.year - p.dob.year - ((TODAY.month, TODAY.day) < (p.dob.month, p.dob.day))
		for p in group
		if p.dob
	}
	assert set(range(18)) <= ages
	counts = Counter(stage(p) for p in group)
	# A fifth of the patients drawn from any age are children, a third of those in the partial years.
	assert 120 < counts[Stage.CHILD] + counts[Stage.PARTIAL] < 260
	assert 40 < counts[Stage.PARTIAL] < 120
	assert counts[Stage.UNKNOWN] == 20


def test_an_adult_s_extra_representative_is_their_proxy_until_a_date_within_18_months():
	group = people(1000)
	proxies = [a for p in group for a in p.accounts if a.adult_proxy]
	assert len(proxies) == 1000 // BLOCK  # one adult per block
	for p in group:
		for a in p.accounts[1:]:
			assert stage(p) == Stage.ADULT and a.access_type == AccessType.REPRESENTATIVE
			assert a.adult_proxy and TODAY < a.access_valid_until <= add_months(TODAY, 18), a
			assert a.section_limit is None and a.aged_out_on is None
	# Nobody else is a proxy or has an end date.
	assert all(not a.adult_proxy and a.access_valid_until is None for p in group for a in p.accounts[:1])
	# A clinic whose proxies last at most 6 months.
	generator = DemoGenerator(NOW, ("Female",), seed=7, proxy_months=6)
	ends = [a.access_valid_until for p in generator.patients(1, 200) for a in p.accounts if a.adult_proxy]
	assert len(ends) == 4 and all(TODAY < end <= add_months(TODAY, 6) for end in ends)


def test_a_teen_s_parent_keeps_only_the_partial_sections_as_the_daily_job_would_leave_them():
	group = people(1000)
	held = [(p, p.accounts[0]) for p in group if p.accounts and stage(p) in (Stage.CHILD, Stage.PARTIAL)]
	assert {stage(p) for p, _a in held} == {Stage.CHILD, Stage.PARTIAL}
	for p, a in held:
		expected = POLICY.partial_sections if stage(p) == Stage.PARTIAL else None
		assert a.section_limit == expected, (p.dob, a)
	assert all(a.section_limit is None for p in group for a in p.accounts if a.access_type == AccessType.SELF)
	clinic = AgePolicy(partial_sections=frozenset({"Appointments", "Invoices"}))
	assert {
		a.section_limit
		for p in people(300, policy=clinic)
		for a in p.accounts
		if stage(p, clinic) == Stage.PARTIAL
	} == {clinic.partial_sections}


def test_a_child_turning_adult_within_30_days_in_the_first_block_and_every_fourth_after():
	group = people(2000)
	for start in range(0, 2000, BLOCK * AGES_EVERY):
		assert any(turning_adult(p) for p in group[start : start + BLOCK]), start
	turning = [p for p in group if turning_adult(p)]
	assert 10 <= len(turning) < 16  # one planned every fourth block, a rare random one besides
	assert len({p.portal_status for p in turning}) > 2
	assert all(p.accounts[0].relation in ("Parent", "Legal Guardian") for p in turning)
	assert all(p.accounts[0].section_limit == POLICY.partial_sections for p in turning)
	# Another age of majority moves them.
	older = AgePolicy(majority_age=21)
	assert sum(turning_adult(p, older) for p in people(2000, policy=older)) >= 10


def test_a_grown_up_whose_parent_s_access_ended_at_majority_in_the_first_block_and_every_fourth_after():
	group = people(2000)
	grown = [p for p in group if aged_out(p)]
	assert [(p.number - 1) // BLOCK for p in grown] == list(range(0, 2000 // BLOCK, AGES_EVERY))
	for p in grown:
		(parent,) = p.accounts  # no account of their own yet
		assert parent.access_type == AccessType.REPRESENTATIVE and not parent.adult_proxy
		assert (parent.status, p.portal_status) == (S.SUSPENDED, S.SUSPENDED)
		assert parent.aged_out_on == majority_date(p.dob, POLICY)
		assert p.created.date() < parent.aged_out_on < TODAY
		assert stage(p) == Stage.ADULT
		assert parent.activated_on < parent.modified and parent.modified.date() == parent.aged_out_on
		assert parent.section_limit == POLICY.partial_sections
		assert p.email and p.dob and p.address and p.address.pincode
	# Most gave the clinic an address of their own; some still have their parent's.
	own = [p for p in grown if p.email != p.accounts[0].email]
	assert 0 < len(own) < len(grown)
	# The other blocks keep a Suspended adult of their own.
	assert any(p.portal_status == S.SUSPENDED and p.accounts[0].access_type == AccessType.SELF for p in group)


def test_account_and_invitation_dates_tell_a_consistent_story():
	for p in people(2000, hours=720):
		for a in p.accounts:
			assert check_username(a.username) is None, a.username
			assert p.created <= a.created <= NOW
			i = a.invitation
			if a.status == S.ENABLED:
				assert i is None and a.last_invited_on is None
				continue
			if a.status == S.NOT_ENABLED:
				assert a.activated_on is not None
				continue
			assert i.status == INVITATION_FOR[a.status], (a.status, i.status)
			assert a.created <= i.created and a.last_invited_on == i.created
			if i.status == InvitationStatus.FAILED:
				assert i.sent_on is None and i.failure_reason and i.send_attempts == 3
				continue
			assert i.created <= i.sent_on <= NOW
			assert i.expires_on - i.sent_on == timedelta(hours=720)
			if i.opened_on:
				assert i.sent_on <= i.opened_on <= NOW
			if i.status == InvitationStatus.SENT:
				assert i.expires_on > NOW
			if i.status == InvitationStatus.EXPIRED:
				assert i.expires_on <= NOW
			if i.status == InvitationStatus.ACCEPTED:
				assert i.opened_on <= i.identity_verified_on <= i.accepted_on <= i.expires_on
				assert a.activated_on == i.accepted_on


def test_usernames_are_unique():
	usernames = [a.username for p in people(2000) for a in p.accounts]
	assert len(usernames) == len(set(usernames))


def test_genders_other_than_female_and_male_appear_now_and_then():
	group = people(1000, genders=("Female", "Male", "Other"))
	assert 0 < sum(1 for p in group if p.sex == "Other") < 100
	assert {p.sex for p in people(20, genders=("Unknown",))} == {"Unknown"}
