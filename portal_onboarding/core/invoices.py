"""Rules of the portal's Invoices section: the colour of an invoice's status, whether it may be paid
online, and which payment request a payment goes through."""

from dataclasses import dataclass

INVOICES_SECTION = "Invoices"
SALES_INVOICE = "Sales Invoice"
PAYMENT_REQUEST = "Payment Request"
PAYMENT_GATEWAY_ACCOUNT = "Payment Gateway Account"
PAYMENTS_APP = "payments"
SUBMITTED = 1
# The context the portal translates a status in: ERPNext's own translations of these words serve Desk.
STATUS_CONTEXT = "Invoice status"
# A gateway account on the Phone channel asks for payment by phone (M-Pesa), never through a web page.
PHONE_CHANNEL = "Phone"
# Submitted payment requests that still wait for their money; "Partially Paid" is what ERPNext writes
# on a request whose invoice was partly paid some other way, so its amount no longer holds.
OPEN_REQUEST_STATUSES = ("Requested", "Initiated")

# Every Sales Invoice status -> Frappe indicator pill colour, as ERPNext's list shows them, except
# that every "still to pay" status is orange: the patient reads one colour for "to pay", red for late.
STATUS_COLOURS: dict[str, str] = {
	"Paid": "green",
	"Unpaid": "orange",
	"Partly Paid": "orange",
	"Unpaid and Discounted": "orange",
	"Partly Paid and Discounted": "orange",
	"Overdue": "red",
	"Overdue and Discounted": "red",
	"Return": "gray",
	"Credit Note Issued": "gray",
	"Internal Transfer": "darkgrey",
	"Submitted": "blue",
	"Draft": "gray",
	"Cancelled": "red",
}
UNKNOWN_STATUS_COLOUR = "gray"


def status_colour(status: str | None) -> str:
	"""The indicator pill colour of a Sales Invoice status; gray for one this does not know."""
	return STATUS_COLOURS.get(status or "", UNKNOWN_STATUS_COLOUR)


@dataclass(frozen=True)
class InvoiceFacts:
	"""What decides whether the portal offers to pay an invoice online."""

	docstatus: int
	is_return: bool
	outstanding: float
	currency: str
	precision: int = 2


def owes(invoice: InvoiceFacts) -> bool:
	"""True while a submitted invoice (not a return) still has money to pay, at its currency's precision."""
	return (
		invoice.docstatus == SUBMITTED
		and not invoice.is_return
		and round(invoice.outstanding, invoice.precision) > 0
	)


def pay_offered(invoice: InvoiceFacts, gateway_currencies: frozenset[str]) -> bool:
	"""Pay now: an invoice with money still to pay, in a currency one of the clinic's gateways takes."""
	return owes(invoice) and invoice.currency in gateway_currencies


@dataclass(frozen=True)
class OpenRequest:
	"""A submitted payment request of the invoice that is still waiting for its money."""

	name: str
	amount: float


def reusable_request(requests: list[OpenRequest], outstanding: float, precision: int = 2) -> str | None:
	"""The open request asking for exactly what is outstanding: paying it settles the invoice, so a
	second click on Pay now goes to the same checkout instead of making another request."""
	for request in requests:
		if round(request.amount - outstanding, precision) == 0:
			return request.name
	return None


def request_amount(proposed: float, outstanding: float, precision: int = 2) -> float:
	"""What a new request asks for: ERPNext proposes the invoice total less its other open requests,
	which is more than is owed once part was paid at the desk; never more than is outstanding.
	Zero or less means the other requests already ask for everything owed."""
	return round(min(proposed, outstanding), precision)
