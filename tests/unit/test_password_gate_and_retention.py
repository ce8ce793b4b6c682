from datetime import datetime

import pytest

from portal_onboarding.core.password_gate import (
	CHANGE_PASSWORD_METHOD,
	CHANGE_PASSWORD_PATH,
	allowed_during_password_change,
	is_page_request,
	requested_method,
)
from portal_onboarding.core.retention import is_due, purge_after, purge_cutoff


@pytest.mark.parametrize(
	"path,cmd",
	[
		(CHANGE_PASSWORD_PATH, None),
		(CHANGE_PASSWORD_PATH + "/", None),
		("/assets/frappe/dist/js/frappe-web.bundle.js", None),
		("/files/logo.png", None),
		("/api/method/" + CHANGE_PASSWORD_METHOD, None),
		("/api/v2/method/" + CHANGE_PASSWORD_METHOD, None),
		("/", "web_logout"),
		("/api/method/logout", None),
		("/api/method/login", None),
		("/", CHANGE_PASSWORD_METHOD),
	],
)
def test_the_way_to_a_new_password_and_the_way_out_stay_open(path, cmd):
	assert allowed_during_password_change(path, cmd)


@pytest.mark.parametrize(
	"path,cmd",
	[
		("/portal", None),
		("/", None),
		("/me", None),
		("/personal-details/PAT-0001", None),
		("/api/resource/Patient", None),
		("/api/resource/Patient/PAT-0001", None),
		("/api/method/frappe.client.get_list", None),
		("/api/method/portal_onboarding.api.invitation.accept", None),
		("/", "frappe.client.get"),
		("/api/method/", None),
		("/portal/change-password-but-not", None),
	],
)
def test_everything_else_is_closed(path, cmd):
	assert not allowed_during_password_change(path, cmd)


def test_pages_are_told_from_calls():
	assert is_page_request("/portal", None)
	assert not is_page_request("/api/resource/Patient", None)
	assert not is_page_request("/", "frappe.client.get")
	assert requested_method("/api/method/a.b.c", None) == "a.b.c"
	assert requested_method("/portal", None) is None


def test_retention_waits_the_configured_days():
	marked = datetime(2026, 1, 1, 12, 0)
	assert purge_after(marked, 30) == datetime(2026, 1, 31, 12, 0)
	assert not is_due(marked, datetime(2026, 1, 31, 11, 59), 30)
	assert is_due(marked, datetime(2026, 1, 31, 12, 0), 30)
	assert not is_due(None, datetime(2030, 1, 1), 30)
	assert purge_cutoff(datetime(2026, 1, 31, 12, 0), 30) == marked
