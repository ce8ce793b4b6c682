"""A patient's invoices on the portal: the list, one invoice as PDF, and paying one online.

Marley links a Sales Invoice to its patient (`patient`); only submitted invoices are ever read. Website
Users hold no Desk permissions on invoices, so the login's grant is the permission: callers resolve it
first (`portal.context` for the page, `granted_invoice` for a named invoice)."""

import os
import re

import frappe
from frappe import _
from frappe.utils import flt
from frappe.utils.pdf import get_pdf

from erpnext.accounts.doctype.payment_request.payment_request import make_payment_request

from portal_onboarding.core.activation import is_placeholder_email
from portal_onboarding.core.invoices import (
	INVOICES_SECTION,
	OPEN_REQUEST_STATUSES,
	PAYMENT_GATEWAY_ACCOUNT,
	PAYMENT_REQUEST,
	PAYMENTS_APP,
	PHONE_CHANNEL,
	SALES_INVOICE,
	SUBMITTED,
	InvoiceFacts,
	OpenRequest,
	owes,
	pay_offered,
	request_amount,
	reusable_request,
	status_colour,
)
from portal_onboarding.core.portal_gate import CHECKOUT_METHODS
from portal_onboarding.permissions import granted

PATIENT_INVOICE_FORMAT = "Patient Invoice"
# A stylesheet the site serves from its /assets folder, as the print page links it.
SITE_STYLESHEET = re.compile(r'<link\b[^>]*\bhref="(/assets/[^"?#]+\.css)"[^>]*>', re.IGNORECASE)
FIELDS = [
	"name",
	"patient",
	"customer",
	"posting_date",
	"due_date",
	"grand_total",
	"outstanding_amount",
	"status",
	"currency",
	"is_return",
	"docstatus",
]


def precision() -> int:
	return frappe.get_precision(SALES_INVOICE, "outstanding_amount") or 2


def facts(row: frappe._dict) -> InvoiceFacts:
	return InvoiceFacts(
		docstatus=row.docstatus,
		is_return=bool(row.is_return),
		outstanding=flt(row.outstanding_amount),
		currency=row.currency,
		precision=precision(),
	)


def gateway_currencies() -> frozenset[str]:
	"""Currencies the clinic takes online: those of its Payment Gateway Accounts for a web checkout,
	and none unless Frappe's payments app (which holds the gateways) is installed."""
	if PAYMENTS_APP not in frappe.get_installed_apps():
		return frozenset()
	return frozenset(
		currency
		for currency in frappe.get_all(
			PAYMENT_GATEWAY_ACCOUNT,
			filters={"payment_channel": ("!=", PHONE_CHANNEL), "payment_gateway": ("in", portal_gateways())},
			pluck="currency",
		)
		if currency
	)


def portal_gateways() -> list[str]:
	"""The clinic's gateways whose checkout page a portal login can use (core/portal_gate.py)."""
	return frappe.get_all(
		"Payment Gateway", filters={"gateway_settings": ("in", list(CHECKOUT_METHODS))}, pluck="name"
	) or [""]


def for_patient(patient: str) -> list[frappe._dict]:
	"""The patient's submitted invoices, newest first, each with its status colour, whether money is
	still owed on it and whether the portal offers to pay it online."""
	rows = frappe.get_all(
		SALES_INVOICE,
		filters={"patient": patient, "docstatus": SUBMITTED},
		fields=FIELDS,
		order_by="posting_date desc, creation desc",
	)
	currencies = gateway_currencies() if rows else frozenset()
	for row in rows:
		row.colour = status_colour(row.status)
		row.owes = owes(facts(row))
		row.pay = pay_offered(facts(row), currencies)
	return rows


def granted_invoice(name: str) -> frappe._dict | None:
	"""The submitted invoice `name` when the session's login may see its patient's invoices; None for
	every other case alike (unknown, draft, cancelled, another patient's, section not granted)."""
	row = frappe.db.get_value(SALES_INVOICE, name, FIELDS, as_dict=True) if name else None
	if not row or row.docstatus != SUBMITTED or not granted(row.patient, section=INVOICES_SECTION):
		return None
	return row


def print_format() -> str | None:
	"""The clinic's default print format for invoices, else the app's Patient Invoice (what a patient
	reads: items, totals and what is still to pay, none of the accounting fields Standard prints)."""
	chosen = frappe.get_meta(SALES_INVOICE).default_print_format
	if chosen:
		return chosen
	return PATIENT_INVOICE_FORMAT if frappe.db.exists("Print Format", PATIENT_INVOICE_FORMAT) else None


def pdf(name: str) -> bytes:
	"""The invoice as PDF (see print_format). The caller has checked the grant, which is why Frappe's
	print permission check (Desk roles) is set aside, as attach_print does."""
	previous = frappe.local.flags.ignore_print_permissions
	frappe.local.flags.ignore_print_permissions = True
	try:
		html = frappe.get_print(SALES_INVOICE, name, print_format=print_format())
	finally:
		frappe.local.flags.ignore_print_permissions = previous
	return get_pdf(with_inline_stylesheets(html))


def with_inline_stylesheets(html: str) -> str:
	"""The print page with the site's own stylesheets written into it. wkhtmltopdf would otherwise
	fetch them from the site's public address, which a server behind a proxy (or in a container)
	often cannot reach from inside, and then no PDF comes out at all."""
	assets = os.path.abspath(os.path.join(frappe.local.sites_path, "assets"))

	def inline(match: re.Match) -> str:
		# Checked by name, not by where it leads: the apps' asset folders are links out of /assets.
		path = os.path.normpath(os.path.join(assets, match.group(1).removeprefix("/assets/")))
		if not path.startswith(assets + os.sep) or not os.path.isfile(path):
			return match.group(0)
		with open(path, encoding="utf-8") as stylesheet:
			return f"<style>{stylesheet.read()}</style>"

	return SITE_STYLESHEET.sub(inline, html)


def file_name(name: str) -> str:
	return name.replace(" ", "").replace("/", "-") + ".pdf"


def can_pay(row: frappe._dict) -> bool:
	return pay_offered(facts(row), gateway_currencies())


def gateway_account(currency: str) -> str | None:
	"""The clinic's web checkout for `currency`: its default gateway account when that one fits."""
	accounts = frappe.get_all(
		PAYMENT_GATEWAY_ACCOUNT,
		filters={
			"currency": currency,
			"payment_channel": ("!=", PHONE_CHANNEL),
			"payment_gateway": ("in", portal_gateways()),
		},
		pluck="name",
		order_by="is_default desc, name asc",
		limit=1,
	)
	return accounts[0] if accounts else None


def payer_email(patient: str) -> str | None:
	"""Where the gateway may write to the payer: the login's own address, else the patient's."""
	email = frappe.db.get_value("User", frappe.session.user, "email")
	if email and not is_placeholder_email(email):
		return email
	return frappe.db.get_value("Patient", patient, "email") or None


def open_requests(invoice: str) -> list[OpenRequest]:
	return [
		OpenRequest(row.name, flt(row.grand_total))
		for row in frappe.get_all(
			PAYMENT_REQUEST,
			filters={
				"reference_doctype": SALES_INVOICE,
				"reference_name": invoice,
				"docstatus": SUBMITTED,
				"status": ("in", OPEN_REQUEST_STATUSES),
				"payment_gateway_account": ("is", "set"),
			},
			fields=["name", "grand_total"],
			order_by="creation desc",
		)
	]


def cannot_pay_online() -> None:
	frappe.throw(
		_("This invoice cannot be paid online. Please contact your clinic to pay it."),
		frappe.ValidationError,
		title=_("Pay by other means"),
	)


def checkout_url(row: frappe._dict) -> str:
	"""The gateway's checkout page for what is still to pay on the invoice, through the invoice's open
	Payment Request or a new one made by ERPNext's own code (mail muted: the person is on the page)."""
	# One request per click, however fast the clicks: the invoice row is held until the commit, and
	# what is owed is read again under that hold.
	outstanding = flt(frappe.db.get_value(SALES_INVOICE, row.name, "outstanding_amount", for_update=True))
	if not owes(facts(frappe._dict(row, outstanding_amount=outstanding))):
		cannot_pay_online()
	places = precision()
	reused = reusable_request(open_requests(row.name), outstanding, places)
	if reused:
		request = frappe.get_doc(PAYMENT_REQUEST, reused)
	else:
		account = gateway_account(row.currency)
		if not account:
			cannot_pay_online()
		request = make_payment_request(
			dt=SALES_INVOICE,
			dn=row.name,
			party_type="Customer",
			party=row.customer,
			payment_gateway_account=account,
			recipient_id=payer_email(row.patient),
			mute_email=1,
			return_doc=1,
		)
		amount = request_amount(flt(request.grand_total), outstanding, places)
		if amount <= 0:
			cannot_pay_online()
		request.grand_total = amount
		request.flags.mute_email = True
		# The portal login holds no Desk role on Payment Request: the grant checked by the caller is
		# the permission, as the login's own invoice is what is asked for.
		request.flags.ignore_permissions = True
		request.submit()
	if not request.payment_url:
		# ERPNext's own step for a request it mails: the gateway's URL, and the request "Initiated".
		request.set_payment_request_url()
	if not request.payment_url:
		cannot_pay_online()
	return request.payment_url
