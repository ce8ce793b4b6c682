"""A parent on the portal's Invoices: sees the child's paid, partly paid, unpaid and overdue invoices (and
no other child's), downloads one as PDF, and Pay now on an unpaid one leads to the clinic's gateway."""

from urllib.parse import parse_qs, urlparse

import pytest

import frappe

from portal_onboarding.invitations import sending
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_account_management import portal_sign_in
from tests.integration.factories import (
	JobRecorder,
	accept_link,
	activation_key,
	make_eligible_patient,
	purge_patient,
	strong_password,
	unique,
)
from tests.integration.test_portal import permit
from tests.integration.test_portal_invoices import (
	SECTIONS,
	configure_gateway,
	make_invoice,
	purge_invoices,
	receive_payment,
	remove_gateway,
)


@pytest.fixture
def billed_child(outgoing_mail):
	"""A child granted to a parent's login with the Invoices section, the child's invoices as the front
	desk made them, a bystander child's invoice, and the clinic's Braintree gateway."""
	child = make_eligible_patient(first_name="Lucia", last_name="Moreno")
	bystander = make_eligible_patient(first_name="Tomas", last_name="Moreno")
	parent = {
		"first_name": "Elena",
		"last_name": "Moreno",
		"email": f"{unique('elena')}@example.com",
		"relation": "Parent",
	}
	username, password = unique("elena."), strong_password()
	with JobRecorder() as jobs:
		_account, invitation = sending.invite(child.name, representative=parent)
		jobs.run()
	assert accept_link(activation_key(invitation.name), username=username, password=password)["ok"]
	permit(child.name, SECTIONS)
	invoices = {}
	invoices["paid"] = make_invoice(child.name, rate=85, days_ago=40, due_in=30)
	receive_payment(invoices["paid"])
	invoices["overdue"] = make_invoice(child.name, rate=140, days_ago=25, due_in=14)
	invoices["partly paid"] = make_invoice(child.name, rate=220, days_ago=12)
	receive_payment(invoices["partly paid"], 100)
	invoices["unpaid"] = make_invoice(child.name, rate=120)
	theirs = make_invoice(bystander.name, rate=9876.54)
	frappe.db.commit()
	configure_gateway()
	yield child, bystander, invoices, theirs, username, password
	purge_invoices([child.name, bystander.name])
	remove_gateway()
	for patient in (child, bystander):
		purge_patient(patient.name)


def test_a_parent_sees_downloads_and_pays_the_childs_invoices(browser, base_url, billed_child):
	_child, bystander, invoices, theirs, username, password = billed_child
	context = browser.new_context(viewport={"width": 1100, "height": 760}, accept_downloads=True)
	page = context.new_page()
	page.set_default_timeout(30_000)
	portal_sign_in(page, base_url, username, password)
	page.wait_for_url("**/portal")
	page.click(".portal-nav [data-section='Invoices']")
	page.wait_for_url("**/portal/invoices")
	for status, name in invoices.items():
		row = page.locator(f"[data-invoice='{name}']")
		assert row.locator(".indicator-pill").inner_text().strip() == status.title(), status
	content = page.content()
	assert theirs not in content and "9,876.54" not in content and bystander.patient_name not in content
	pay_buttons = page.locator("[data-pay]")
	assert sorted(pay_buttons.evaluate_all("(buttons) => buttons.map((b) => b.dataset.pay)")) == sorted(
		[invoices["overdue"], invoices["partly paid"], invoices["unpaid"]]
	)
	page.screenshot(path=str(SCREENSHOTS / "portal-invoices.png"), full_page=True)

	with page.expect_download() as download:
		page.get_by_role("link", name=f"Download invoice {invoices['unpaid']} as PDF").click()
	pdf = download.value
	assert pdf.suggested_filename == f"{invoices['unpaid']}.pdf"
	with open(pdf.path(), "rb") as file:
		assert file.read(5) == b"%PDF-"

	# Pay now leads the browser to the gateway's checkout for a request on this invoice alone.
	# The real checkout page loads Braintree's script from the internet: answered here instead, so the
	# navigation ends before the next one starts.
	page.route(
		"**/braintree_checkout?**",
		lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Checkout</title>"),
	)
	with page.expect_request("**/braintree_checkout?**") as checkout:
		page.get_by_role("button", name=f"Pay now: invoice {invoices['unpaid']}").click()
	page.wait_for_url("**/braintree_checkout?**")
	query = parse_qs(urlparse(checkout.value.url).query)
	frappe.db.rollback()
	requests = frappe.get_all(
		"Payment Request",
		filters={"reference_name": ("in", [*invoices.values(), theirs])},
		fields=["name", "reference_name", "grand_total"],
	)
	assert [(r.name, r.reference_name, r.grand_total) for r in requests] == [
		(query["reference_docname"][0], invoices["unpaid"], 120)
	]

	for width in (1100, 375):  # on a phone the table scrolls sideways in its own region
		page.set_viewport_size({"width": width, "height": 760})
		page.goto(f"{base_url}/portal/invoices")
		page.locator(f"[data-invoice='{invoices['unpaid']}']").wait_for()
		assert_accessible(page, f"/portal/invoices at {width}px")
	context.close()
