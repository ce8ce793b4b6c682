"""A portal login's invoices: one as PDF, and paying one online. Each call resolves the invoice through
the login's Active grant with the Invoices section on the invoice's patient, and refuses every other
invoice with the same answer."""

from werkzeug.wrappers import Response

import frappe

from portal_onboarding.api.portal import not_available
from portal_onboarding.portal import invoices
from portal_onboarding.portal.downloads import private_download
from portal_onboarding.security.ratelimit import count

# Rendering a PDF is slow work for the server; a person downloads a few, a script thousands.
DOWNLOADS_PER_HOUR = 60
# Each click may make a Payment Request the clinic's accountants see.
PAYMENTS_PER_HOUR = 20


@frappe.whitelist(methods=["GET"])
def download(invoice: str) -> Response:
	"""The invoice as PDF, in the clinic's print format, as a file download."""
	count(f"invoice_pdf:{frappe.session.user}", DOWNLOADS_PER_HOUR)
	row = invoices.granted_invoice(invoice)
	if row is None:
		not_available()
	return private_download(invoices.file_name(row.name), invoices.pdf(row.name), "application/pdf")


@frappe.whitelist(methods=["POST"])
def pay(invoice: str) -> dict:
	"""Pay now: where the clinic's payment gateway takes the payment of what is still to pay."""
	count(f"invoice_pay:{frappe.session.user}", PAYMENTS_PER_HOUR)
	row = invoices.granted_invoice(invoice)
	if row is None:
		not_available()
	if not invoices.can_pay(row):
		invoices.cannot_pay_online()
	return {"redirect_to": invoices.checkout_url(row)}
