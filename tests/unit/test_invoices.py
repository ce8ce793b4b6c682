import pytest

from portal_onboarding.core.invoices import (
	STATUS_COLOURS,
	InvoiceFacts,
	OpenRequest,
	owes,
	pay_offered,
	request_amount,
	reusable_request,
	status_colour,
)

# The Status options of ERPNext v15's Sales Invoice, in its order.
SALES_INVOICE_STATUSES = [
	"Draft",
	"Return",
	"Credit Note Issued",
	"Submitted",
	"Paid",
	"Partly Paid",
	"Unpaid",
	"Unpaid and Discounted",
	"Partly Paid and Discounted",
	"Overdue and Discounted",
	"Overdue",
	"Cancelled",
	"Internal Transfer",
]
INDICATOR_PILL_COLOURS = {
	"green",
	"cyan",
	"blue",
	"orange",
	"yellow",
	"gray",
	"grey",
	"red",
	"pink",
	"darkgrey",
	"purple",
}
USD = frozenset({"USD"})


def unpaid(**kw) -> InvoiceFacts:
	values = {"docstatus": 1, "is_return": False, "outstanding": 120.0, "currency": "USD"}
	values.update(kw)
	return InvoiceFacts(**values)


@pytest.mark.parametrize(
	("status", "colour"),
	[
		("Paid", "green"),
		("Unpaid", "orange"),
		("Partly Paid", "orange"),
		("Unpaid and Discounted", "orange"),
		("Partly Paid and Discounted", "orange"),
		("Overdue", "red"),
		("Overdue and Discounted", "red"),
		("Return", "gray"),
		("Credit Note Issued", "gray"),
		("Internal Transfer", "darkgrey"),
		("Submitted", "blue"),
	],
)
def test_each_status_has_its_colour(status, colour):
	assert status_colour(status) == colour


def test_every_sales_invoice_status_is_covered_with_a_frappe_pill_colour():
	assert set(STATUS_COLOURS) == set(SALES_INVOICE_STATUSES)
	assert set(STATUS_COLOURS.values()) <= INDICATOR_PILL_COLOURS


def test_an_unknown_or_missing_status_is_gray():
	assert status_colour("Something New") == "gray"
	assert status_colour(None) == "gray"
	assert status_colour("") == "gray"


def test_pay_now_is_offered_for_money_owed_in_a_currency_a_gateway_takes():
	assert pay_offered(unpaid(), USD)
	assert pay_offered(unpaid(outstanding=0.01), USD)


@pytest.mark.parametrize(
	"invoice",
	[
		unpaid(outstanding=0),
		unpaid(outstanding=0.004),  # rounds to nothing at the currency's precision
		unpaid(outstanding=-60),  # a credit balance
		unpaid(is_return=True, outstanding=60),
		unpaid(docstatus=0),
		unpaid(docstatus=2),
		unpaid(currency="EUR"),
	],
)
def test_pay_now_is_not_offered(invoice):
	assert not pay_offered(invoice, USD)


def test_no_gateway_no_pay_now():
	assert owes(unpaid())
	assert not pay_offered(unpaid(), frozenset())


def test_the_precision_is_the_currencys():
	assert owes(unpaid(outstanding=0.004, precision=3))
	assert not owes(unpaid(outstanding=0.0004, precision=3))


def test_an_open_request_for_exactly_what_is_owed_is_reused():
	requests = [OpenRequest("PR-1", 200.0), OpenRequest("PR-2", 150.0)]
	assert reusable_request(requests, 150.0) == "PR-2"
	assert reusable_request(requests, 150.001) == "PR-2"
	assert reusable_request(requests, 120.0) is None
	assert reusable_request([], 120.0) is None


def test_a_new_request_never_asks_for_more_than_is_owed():
	assert request_amount(200.0, 150.0) == 150.0
	assert request_amount(120.0, 120.0) == 120.0
	assert request_amount(80.0, 150.0) == 80.0  # another open request asks for the rest
	assert request_amount(0.0, 150.0) == 0.0
