"""The pure rules behind issue 18: link addresses, same-site POSTs, and whom a sign-up may open."""

import pytest

from portal_onboarding.constants import AccessType, AccountStatus
from portal_onboarding.core.base_url import check_base_url, mailed_link, normalise_base_url
from portal_onboarding.core.registration import PortalHistory, undecided
from portal_onboarding.core.same_site import from_own_pages, host_of

S = AccountStatus
OWN = {"clinic.example", "portal.clinic.example:8443"}


class TestBaseUrl:
	@pytest.mark.parametrize(
		("value", "expected"),
		[
			("https://portal.example/", "https://portal.example"),
			("  portal.example ", "http://portal.example"),
			("http://portal.example:8000", "http://portal.example:8000"),
			("", None),
			(None, None),
		],
	)
	def test_normalise(self, value, expected):
		assert normalise_base_url(value) == expected

	@pytest.mark.parametrize(
		"value",
		[
			"ftp://portal.example",
			"https://",
			"https://portal.example/?next=evil",
			"https://portal.example/#x",
			"https://user:pw@portal.example",
			"https://portal example",
			"javascript:alert(1)",
		],
	)
	def test_refused(self, value):
		assert check_base_url(value).code == "base_url"

	@pytest.mark.parametrize("value", ["", None, "https://portal.example", "http://10.0.0.5:8000/clinic"])
	def test_accepted(self, value):
		assert check_base_url(value) is None

	def test_the_key_rides_in_the_fragment(self):
		assert mailed_link("https://p.example/", "/portal/activate", "k3y") == (
			"https://p.example/portal/activate#key=k3y"
		)
		assert mailed_link("https://p.example", "/portal/forms") == "https://p.example/portal/forms"


class TestSameSite:
	def test_the_portals_own_pages_pass(self):
		assert from_own_pages("https://clinic.example", None, OWN)
		assert from_own_pages("https://Portal.Clinic.example:8443", None, OWN)
		assert from_own_pages(None, "https://clinic.example/portal/activate", OWN)

	@pytest.mark.parametrize(
		("origin", "referer"),
		[
			("https://evil.example", None),
			("https://evil.example", "https://clinic.example/portal"),
			("null", None),
			("https://clinic.example.evil.example", None),
			("https://clinic.example:9999", None),
			(None, "https://evil.example/page"),
			("not a url", None),
		],
	)
	def test_another_site_is_refused(self, origin, referer):
		assert not from_own_pages(origin, referer, OWN)

	def test_no_browser_evidence_is_no_browser(self):
		assert from_own_pages(None, None, OWN)
		assert from_own_pages("", "", OWN)

	def test_host_of(self):
		assert host_of("HTTPS://A.example:1/x?y#z") == "a.example:1"
		assert host_of("") is None


def history(**kw) -> PortalHistory:
	values = {"patient_active": True, "eligible": True, "disabled_by_admin": False, "marley_login": False}
	values.update(kw)
	return PortalHistory(**values)


class TestUndecided:
	@pytest.mark.parametrize(
		"accounts",
		[
			(),
			((AccessType.SELF, S.NOT_ENABLED, False),),
			((AccessType.SELF, S.ENABLED, False),),
			((AccessType.SELF, S.INVITED, False),),
			((AccessType.SELF, S.INVITE_EXPIRED, False),),
		],
	)
	def test_nobody_has_decided(self, accounts):
		assert undecided(history(accounts=accounts))

	@pytest.mark.parametrize(
		"kw",
		[
			{"patient_active": False},
			{"eligible": False},
			{"disabled_by_admin": True},
			{"marley_login": True},
			{"accounts": ((AccessType.SELF, S.SUSPENDED, True),)},
			{"accounts": ((AccessType.SELF, S.PENDING_DELETE, False),)},
			{"accounts": ((AccessType.SELF, S.ACTIVE, True),)},
			{"accounts": ((AccessType.SELF, S.INVITE_FAILED, False),)},
			{"accounts": ((AccessType.SELF, S.NOT_ENABLED, True),)},
			{"accounts": ((AccessType.REPRESENTATIVE, S.INVITED, False),)},
			{
				"accounts": (
					(AccessType.SELF, S.ENABLED, False),
					(AccessType.REPRESENTATIVE, S.ACTIVE, True),
				)
			},
		],
	)
	def test_a_decision_sends_the_sign_up_to_staff(self, kw):
		assert not undecided(history(**kw))


def test_settings_refuse_a_bad_portal_address():
	from portal_onboarding.core.validation import SettingsInput, check_settings

	values = {
		"invitation_lifetime_hours": 72,
		"reminder_after_days": 1,
		"max_reminders": 2,
		"password_reset_lifetime_hours": 24,
		"delete_after_days": 30,
	}
	assert [r.code for r in check_settings(SettingsInput(**values, portal_base_url="ftp://x"))] == [
		"base_url"
	]
	assert check_settings(SettingsInput(**values, portal_base_url="https://portal.example")) == []
