"""The portal login's allowlist: listed methods and pages pass; every other API is refused."""

import pytest

from portal_onboarding.core.portal_gate import CHECKOUT_METHODS, PORTAL_METHODS, portal_request_allowed


@pytest.mark.parametrize(
	("path", "cmd"),
	[
		("/api/method/login", None),
		("/api/method/portal_onboarding.api.portal.choose_patient", None),
		("/api/v2/method/portal_onboarding.api.portal.choose_patient", None),
		("/api/v1/method/logout/", None),
		("/", "portal_onboarding.api.password.change_password"),
		("/portal", None),
		("/portal/lab-results", None),
		("/intake-form/new", None),
		("/assets/frappe/dist/js/web.bundle.js", None),
		("/private/files/scan.pdf", None),
	],
)
def test_listed_methods_and_pages_pass(path, cmd):
	assert portal_request_allowed(path, cmd)


@pytest.mark.parametrize(
	("path", "cmd"),
	[
		("/api/method/healthcare.healthcare.utils.render_doc_as_html", None),
		("/api/method/healthcare.healthcare.doctype.patient.patient.get_patient_detail", None),
		("/api/v2/method/frappe.client.get", None),
		("/api/method/run_doc_method", None),
		("/api/method/frappe.handler.run_doc_method", None),
		("/api/resource/Patient/PAT-0001", None),
		("/api/v2/document/Patient/PAT-0001", None),
		("/api/v2/document/Patient/PAT-0001/method/get_patient_detail", None),
		("/api/v2/doctype/Patient/meta", None),
		("/api/method", None),
		("/api//method/login", None),
		("/api/", None),
		("/", "frappe.client.get_list"),
		("/app/patient", "run_doc_method"),
	],
)
def test_every_other_api_is_refused(path, cmd):
	assert not portal_request_allowed(path, cmd)


def test_the_list_is_short_and_says_why_for_each():
	assert len(PORTAL_METHODS) <= 25
	# Each gateway offered on the portal has its checkout call listed, and nothing else of Payments is.
	assert set(CHECKOUT_METHODS.values()) == {m for m in PORTAL_METHODS if m.startswith("payments.")}
	assert all(reason.strip() for reason in PORTAL_METHODS.values())
	assert not any(method.startswith(("frappe.client", "healthcare.")) for method in PORTAL_METHODS)
