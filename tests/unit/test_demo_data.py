from collections import Counter
from datetime import datetime, timedelta

import pytest

from portal_onboarding.constants import AccessType, AccountStatus, InvitationStatus
from portal_onboarding.core.demo_data import (
	BLOCK,
	DEMO_DOMAINS,
	DEMO_PREFIX,
	MAX_NUMBER,
	MAX_PATIENTS,
	DemoGenerator,
	account_name,
	address_name,
	ascii_slug,
	between,
	check_patient_count,
	demo_number,
	invitation_name,
	patient_name,
)
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


def people(count=1000, genders=("Female", "Male"), hours=72, seed=7, start=1):
	return list(DemoGenerator(NOW, genders, hours, seed=seed).patients(start, count))


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
	children = [p for p in group if p.dob and (NOW.date() - p.dob).days < 16 * 365 and p.accounts]
	assert children
	assert all(p.accounts[0].access_type == AccessType.REPRESENTATIVE for p in children)


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
