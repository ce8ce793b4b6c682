"""The portal's Invoices section over real requests: a login sees, downloads and pays only the submitted
invoices of the patients it holds the Invoices section on; Pay now appears only where the clinic has a
payment gateway for the invoice's currency."""

import io
import unicodedata
from urllib.parse import parse_qs, quote, urlparse

import frappe
from frappe.utils import add_days, flt, getdate, today

from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
from erpnext.accounts.doctype.sales_invoice.sales_invoice import make_sales_return

from healthcare.healthcare.doctype.healthcare_settings.healthcare_settings import (
	get_income_account,
	get_receivable_account,
)
from healthcare.healthcare.doctype.patient.patient import create_customer

from portal_onboarding.constants import ACCOUNT
from portal_onboarding.portal.invoices import gateway_currencies
from tests.integration.factories import accept_link, strong_password, unique
from tests.integration.test_portal import PortalCase, permit, shows

SECTIONS = ["Appointments", "Lab Results", "Invoices"]
CONSULTATION = "Consultation Charge"
DOWNLOAD = "/api/method/portal_onboarding.api.invoices.download?invoice="
PAY = "/api/method/portal_onboarding.api.invoices.pay"
REFUSAL = "This part of the portal is not available to you."
GATEWAY = "Portal Invoices Test"


def company() -> str:
	return frappe.defaults.get_global_default("company") or frappe.get_all("Company", pluck="name")[0]


def consultation_item() -> str:
	"""The clinic's consultation charge: a service item, as a clinic sets one up for its invoices."""
	if not frappe.db.exists("Item", CONSULTATION):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": CONSULTATION,
				"item_name": CONSULTATION,
				"item_group": "Services" if frappe.db.exists("Item Group", "Services") else "All Item Groups",
				"stock_uom": "Nos" if frappe.db.exists("UOM", "Nos") else "Unit",
				"is_stock_item": 0,
				"include_item_in_manufacturing": 0,
				"description": "Outpatient consultation",
			}
		).insert(ignore_permissions=True)
	return CONSULTATION


def ensure_fiscal_year(date: str) -> None:
	"""A fiscal year covering `date`: the site's setup made only the current one."""
	year = getdate(date).year
	if frappe.db.exists(
		"Fiscal Year", {"year_start_date": ("<=", date), "year_end_date": (">=", date), "disabled": 0}
	):
		return
	frappe.get_doc(
		{
			"doctype": "Fiscal Year",
			"year": str(year),
			"year_start_date": f"{year}-01-01",
			"year_end_date": f"{year}-12-31",
			"companies": [{"company": company()}],
		}
	).insert(ignore_permissions=True)


def customer_of(patient: str) -> str:
	"""The Customer Marley linked to the patient on save (Healthcare Settings: link customer)."""
	customer = frappe.db.get_value("Patient", patient, "customer")
	if not customer:
		create_customer(frappe.get_doc("Patient", patient))
		customer = frappe.db.get_value("Patient", patient, "customer")
	return customer


def make_invoice(
	patient: str,
	rate: float = 120,
	days_ago: int = 0,
	due_in: int = 30,
	submit: bool = True,
) -> str:
	"""A Sales Invoice for the patient's consultation, made and submitted as the front desk does
	(Marley's `patient` field set, the patient's Customer billed)."""
	posting_date = add_days(today(), -days_ago)
	ensure_fiscal_year(posting_date)
	invoice = frappe.new_doc("Sales Invoice")
	invoice.patient = patient
	invoice.customer = customer_of(patient)
	invoice.company = company()
	invoice.set_posting_time = 1
	invoice.posting_date = posting_date
	invoice.due_date = add_days(posting_date, due_in)
	invoice.debit_to = get_receivable_account(invoice.company)
	invoice.append(
		"items",
		{
			"item_code": consultation_item(),
			"qty": 1,
			"rate": rate,
			"income_account": get_income_account(None, invoice.company),
		},
	)
	invoice.set_missing_values()
	invoice.insert(ignore_permissions=True)
	if submit:
		invoice.submit()
	return invoice.name


def receive_payment(invoice: str, amount: float | None = None) -> str:
	"""The desk takes a payment in cash against the invoice (all of it unless `amount` is given)."""
	entry = get_payment_entry(
		"Sales Invoice",
		invoice,
		bank_account=frappe.get_cached_value("Company", company(), "default_cash_account"),
	)
	if amount is not None:
		entry.paid_amount = entry.received_amount = amount
		entry.references[0].allocated_amount = amount
	entry.reference_no = unique("receipt-")
	entry.reference_date = today()
	entry.insert(ignore_permissions=True)
	entry.submit()
	return entry.name


def cancel(invoice: str) -> str:
	frappe.get_doc("Sales Invoice", invoice).cancel()
	return invoice


def credit_note(invoice: str) -> str:
	"""A return (credit note) against the invoice, as the desk makes one to take a charge back."""
	note = make_sales_return(invoice)
	note.update_outstanding_for_self = 0  # the refund settles the invoice it returns
	note.insert(ignore_permissions=True)
	note.submit()
	return note.name


def purge_invoices(patients: list[str]) -> None:
	"""Remove the test patients' invoices, payments, payment requests and ledger rows; commits."""
	frappe.db.rollback()
	invoices = frappe.get_all("Sales Invoice", filters={"patient": ("in", patients or [""])}, pluck="name")
	if invoices:
		entries = frappe.get_all(
			"Payment Entry Reference",
			filters={"reference_doctype": "Sales Invoice", "reference_name": ("in", invoices)},
			pluck="parent",
		)
		vouchers = invoices + entries
		for table in ("GL Entry", "Payment Ledger Entry"):
			frappe.db.delete(table, {"voucher_no": ("in", vouchers)})
		frappe.db.delete("Payment Ledger Entry", {"against_voucher_no": ("in", invoices)})
		frappe.db.delete("Transaction Log", {"document_name": ("in", vouchers)})
		frappe.db.delete("Payment Request", {"reference_name": ("in", invoices)})
		for doctype, child in (
			("Payment Entry", "Payment Entry Reference"),
			("Sales Invoice", "Sales Invoice Item"),
		):
			names = entries if doctype == "Payment Entry" else invoices
			frappe.db.delete(child, {"parent": ("in", names or [""])})
			frappe.db.delete("Sales Invoice Payment", {"parent": ("in", names or [""])})
			frappe.db.delete("Sales Taxes and Charges", {"parent": ("in", names or [""])})
			frappe.db.delete("Payment Schedule", {"parent": ("in", names or [""])})
			frappe.db.delete(doctype, {"name": ("in", names or [""])})
	frappe.db.commit()


def configure_gateway() -> str:
	"""Braintree set up as a clinic does in Payments > Braintree Settings: saving the settings makes the
	Payment Gateway, and ERPNext's hook its bank account and Payment Gateway Account. Nothing on the
	network is called until somebody pays (the keys here are dummies)."""
	settings = frappe.get_doc(
		{
			"doctype": "Braintree Settings",
			"gateway_name": GATEWAY,
			"merchant_id": "dummy-merchant",
			"public_key": "dummy-public-key",
			"private_key": "dummy-private-key",
			"use_sandbox": 1,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	return settings.name


def remove_gateway() -> None:
	frappe.db.rollback()
	gateway = f"Braintree-{GATEWAY}"
	accounts = frappe.get_all("Payment Gateway Account", filters={"payment_gateway": gateway}, pluck="name")
	bank_accounts = frappe.get_all(
		"Payment Gateway Account", filters={"name": ("in", accounts or [""])}, pluck="payment_account"
	)
	frappe.db.delete("Payment Gateway Account", {"name": ("in", accounts or [""])})
	for account in bank_accounts:
		frappe.delete_doc("Account", account, force=True, ignore_permissions=True)
	frappe.db.delete("Payment Gateway", {"name": gateway})
	frappe.db.delete("Braintree Settings", {"name": GATEWAY})
	frappe.db.commit()


def pdf_text(data: bytes) -> str:
	from pypdf import PdfReader

	text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
	# Words come out tab-separated, and "fl" or "fi" in a random name as one ligature character.
	return " ".join(unicodedata.normalize("NFKC", text).split())


def pdf_is_refused(response) -> bool:
	return response.status_code == 403 and REFUSAL in response.get_data(as_text=True)


class InvoicesCase(PortalCase):
	def tearDown(self):
		purge_invoices(self.patients)
		super().tearDown()

	def login(self, patient: str, sections: list[str] = SECTIONS) -> tuple[str, str]:
		_account, user, password = self.login_with_password(patient)
		permit(patient, sections)
		return user, password

	def representative_of(self, children: list[str]) -> tuple[str, str]:
		"""One parent's login holding a grant on each child (sections set by the caller)."""
		rep = {
			"first_name": "Paz",
			"last_name": "Parent",
			"email": f"{unique('paz')}@example.com",
			"relation": "Parent",
		}
		username, password = unique("paz."), strong_password()
		for n, child in enumerate(children):
			_account, _invitation, key = self.invited(child, representative=rep)
			assert accept_link(key, username=username, password=password, existing_login=n)["ok"]
			frappe.db.commit()
		user = frappe.db.get_value(
			ACCOUNT, {"patient": children[0], "access_type": "Authorized Representative"}, "user"
		)
		return user, password


class TestInvoicesPage(InvoicesCase):
	def test_the_list_shows_only_the_chosen_patients_submitted_invoices(self):
		self.assertEqual(gateway_currencies(), frozenset(), "this test needs a site without payment gateways")
		own, other = self.patient(), self.patient()
		user, password = self.login(own.name)
		paid = make_invoice(own.name, rate=80, days_ago=9)
		receive_payment(paid)
		partly = make_invoice(own.name, rate=200, days_ago=6)
		receive_payment(partly, 50)
		overdue = make_invoice(own.name, rate=95, days_ago=20, due_in=10)
		unpaid = make_invoice(own.name, rate=120.5)
		refunded = make_invoice(own.name, rate=60, days_ago=3)
		note = credit_note(refunded)
		draft = make_invoice(own.name, rate=7771.23, submit=False)
		cancelled = cancel(make_invoice(own.name, rate=6661.17))
		theirs = make_invoice(other.name, rate=5551.19)
		frappe.db.commit()
		(page,) = self.get(user, password, [("GET", "/portal/invoices", None)])
		html = page.get_data(as_text=True)
		self.assertEqual(page.status_code, 200, html[:500])
		# Newest first (the credit note is dated today, made after the unpaid invoice).
		expected = [note, unpaid, refunded, partly, paid, overdue]
		shown = [name for name in expected if f'data-invoice="{name}"' in html]
		self.assertEqual(shown, expected)
		positions = {name: html.index(f'data-invoice="{name}"') for name in shown}
		self.assertEqual(sorted(shown, key=positions.get), expected)
		for hidden in (draft, cancelled, theirs, other.patient_name, "7,771.23", "6,661.17", "5,551.19"):
			self.assertFalse(hidden in html, hidden)
		for status, colour in (
			("Paid", "green"),
			("Unpaid", "orange"),
			("Partly Paid", "orange"),
			("Overdue", "red"),
			("Return", "gray"),
			("Credit Note Issued", "gray"),
		):
			self.assertTrue(f'class="indicator-pill {colour}" data-status="{status}"' in html, status)
		self.assertTrue("120.50" in html, "120.50")
		self.assertTrue("150.00" in html, "150.00")  # what is still to pay on the partly paid invoice
		self.assertTrue(f'href="{DOWNLOAD}{quote(unpaid)}"' in html, f'href="{DOWNLOAD}{quote(unpaid)}"')
		self.assertTrue(
			f'aria-label="Download invoice {unpaid} as PDF"' in html,
			f'aria-label="Download invoice {unpaid} as PDF"',
		)
		# No gateway: no button, and the page says how to pay instead.
		self.assertFalse("data-pay=" in html, "data-pay=")
		self.assertTrue(
			"To pay an invoice, please contact your clinic." in html,
			"To pay an invoice, please contact your clinic.",
		)

	def test_a_parent_sees_the_invoices_of_the_child_chosen_in_the_switcher(self):
		first, second = self.patient(), self.patient()
		user, password = self.representative_of([first.name, second.name])
		for child in (first, second):
			permit(child.name, SECTIONS)
		firsts, seconds = make_invoice(first.name, rate=111.11), make_invoice(second.name, rate=222.22)
		frappe.db.commit()
		choose = "/api/method/portal_onboarding.api.portal.choose_patient"
		_chose, first_page, _chose_again, second_page = self.get(
			user,
			password,
			[
				("POST", choose, {"patient": first.name}),
				("GET", "/portal/invoices", None),
				("POST", choose, {"patient": second.name}),
				("GET", "/portal/invoices", None),
			],
		)
		for page, shown, hidden in ((first_page, firsts, seconds), (second_page, seconds, firsts)):
			self.assertTrue(shows(page, f'data-invoice="{shown}"'), shown)
			self.assertFalse(shows(page, hidden), hidden)
			self.assertTrue(shows(page, "data-portal-switcher"))

	def test_no_invoices_yet_says_so(self):
		patient = self.patient()
		user, password = self.login(patient.name)
		make_invoice(patient.name, submit=False)  # a draft is not issued
		frappe.db.commit()
		(page,) = self.get(user, password, [("GET", "/portal/invoices", None)])
		self.assertEqual(page.status_code, 200)
		self.assertTrue(shows(page, "Your clinic has not issued any invoices to this patient yet."))
		self.assertFalse(shows(page, "<table"))

	def test_without_the_invoices_section_the_page_and_the_pdf_are_refused(self):
		patient = self.patient()
		user, password = self.login(patient.name, ["Appointments", "Lab Results"])
		invoice = make_invoice(patient.name)
		frappe.db.commit()
		home, page, pdf = self.get(
			user,
			password,
			[
				("GET", "/portal", None),
				("GET", "/portal/invoices", None),
				("GET", DOWNLOAD + quote(invoice), None),
			],
		)
		self.assertEqual(home.status_code, 200)
		self.assertFalse(shows(home, 'data-section="Invoices"'))
		self.assertEqual(page.status_code, 403)
		self.assertFalse(shows(page, invoice))
		self.assertTrue(pdf_is_refused(pdf), pdf.status_code)

	def test_spanish(self):
		patient = self.patient()
		user, password = self.login(patient.name)
		frappe.db.set_value("User", user, "language", "es")
		overdue = make_invoice(patient.name, days_ago=20, due_in=10)
		frappe.db.commit()
		(page,) = self.get(user, password, [("GET", "/portal/invoices", None)])
		html = page.get_data(as_text=True)
		self.assertTrue(f'data-invoice="{overdue}"' in html, f'data-invoice="{overdue}"')
		for text in ("Facturas", "Pendiente de pago", "Vencida", f"Descargar la factura {overdue} en PDF"):
			self.assertTrue(text in html, text)


class TestInvoicePdf(InvoicesCase):
	def test_own_invoice_downloads_as_pdf_and_every_other_gets_the_same_refusal(self):
		own, other = self.patient(), self.patient()
		user, password = self.login(own.name)
		permit(other.name)  # the other patient's own login would see it; this one must not
		mine = make_invoice(own.name, rate=130)
		draft = make_invoice(own.name, submit=False)
		cancelled = cancel(make_invoice(own.name))
		theirs = make_invoice(other.name)
		frappe.db.commit()
		names = [mine, theirs, draft, cancelled, unique("ACC-SINV-NOPE-")]
		responses = self.get(user, password, [("GET", DOWNLOAD + quote(name), None) for name in names])
		pdf, *refused = responses
		self.assertEqual(pdf.status_code, 200, pdf.data[:500])
		self.assertTrue(pdf.data.startswith(b"%PDF"))
		text = pdf_text(pdf.data)
		self.assertTrue(own.patient_name in text and "130.00" in text, text[:300])
		# The app's Patient Invoice format: what a patient reads, none of the accounting fields.
		self.assertIn("Still to pay", " ".join(text.split()))
		self.assertNotIn("Commission", text)
		self.assertEqual(pdf.mimetype, "application/pdf")
		self.assertIn("attachment", pdf.headers["Content-Disposition"])
		self.assertIn(f"{mine}.pdf", pdf.headers["Content-Disposition"])
		self.assertEqual(pdf.headers["Cache-Control"], "no-store, private")
		self.assertEqual(pdf.mimetype, "application/pdf")
		bodies = set()
		for name, response in zip(names[1:], refused, strict=True):
			self.assertTrue(pdf_is_refused(response), (name, response.status_code))
			body = response.get_data(as_text=True)
			self.assertNotIn("%PDF", body)
			bodies.add(response.json["exc_type"])
		self.assertEqual(bodies, {"PermissionError"})

	def test_a_representative_downloads_only_where_the_invoices_section_is_granted(self):
		billed, other_child = self.patient(), self.patient()
		user, password = self.representative_of([billed.name, other_child.name])
		permit(billed.name, SECTIONS)
		permit(other_child.name, ["Appointments", "Lab Results"])
		own_invoice = make_invoice(billed.name)
		siblings_invoice = make_invoice(other_child.name)
		frappe.db.commit()
		pdf, refused = self.get(
			user,
			password,
			[("GET", DOWNLOAD + quote(own_invoice), None), ("GET", DOWNLOAD + quote(siblings_invoice), None)],
		)
		self.assertTrue(pdf.data.startswith(b"%PDF"), pdf.data[-500:])
		self.assertTrue(pdf_is_refused(refused), refused.status_code)

	def test_frappes_and_erpnexts_routes_that_take_an_invoice_name_show_the_login_nothing(self):
		own = self.patient()
		user, password = self.login(own.name)
		invoice = make_invoice(own.name, rate=4321.09)
		frappe.db.commit()
		name, doctype = quote(invoice), quote("Sales Invoice")
		portal, *responses = self.get(
			user,
			password,
			[
				("GET", "/portal/invoices", None),
				("GET", f"/printview?doctype={doctype}&name={name}", None),
				(
					"GET",
					f"/api/method/frappe.utils.print_format.download_pdf?doctype={doctype}&name={name}",
					None,
				),
				("GET", f"/invoices/{name}", None),
				("GET", "/invoices", None),
				("GET", f"/api/resource/{doctype}/{name}", None),
			],
		)
		self.assertTrue(b"4,321.09" in portal.data, "the portal's own page shows it")
		for response in responses:
			self.assertFalse(response.data.startswith(b"%PDF"), response.request.path)
			self.assertFalse(b"4,321.09" in response.data, response.request.path)

	def test_a_guest_gets_no_pdf(self):
		patient = self.patient()
		invoice = make_invoice(patient.name)
		frappe.db.commit()
		from tests.integration.factories import http_guest
		from tests.site import site_name

		(response,) = http_guest(site_name(), [("GET", DOWNLOAD + quote(invoice), None)])
		self.assertEqual(response.status_code, 403)
		self.assertFalse(response.data.startswith(b"%PDF"))


class TestPayNow(InvoicesCase):
	def tearDown(self):
		try:
			super().tearDown()
		finally:
			remove_gateway()

	def requests_for(self, invoices: list[str]) -> dict[str, list[frappe._dict]]:
		frappe.db.rollback()
		return {
			name: frappe.get_all(
				"Payment Request",
				filters={"reference_doctype": "Sales Invoice", "reference_name": name},
				fields=["name", "grand_total", "docstatus", "status", "payment_url", "owner", "email_to"],
			)
			for name in invoices
		}

	def test_without_a_gateway_there_is_no_button_and_pay_is_refused(self):
		self.assertEqual(gateway_currencies(), frozenset(), "this test needs a site without payment gateways")
		patient = self.patient()
		user, password = self.login(patient.name)
		invoice = make_invoice(patient.name)
		frappe.db.commit()
		page, pay = self.get(
			user, password, [("GET", "/portal/invoices", None), ("POST", PAY, {"invoice": invoice})]
		)
		self.assertTrue(shows(page, f'data-invoice="{invoice}"'))
		self.assertFalse(shows(page, "data-pay="))
		self.assertEqual(pay.status_code, 417, pay.get_data(as_text=True)[:300])
		self.assertTrue(shows(pay, "cannot be paid online"))
		self.assertEqual(self.requests_for([invoice]), {invoice: []})

	def test_a_gateway_whose_checkout_the_gate_refuses_is_not_offered(self):
		# Another gateway's checkout page would call a method the portal gate refuses: no button, no request.
		patient = self.patient()
		user, password = self.login(patient.name)
		invoice = make_invoice(patient.name)
		configure_gateway()
		frappe.db.set_value("Payment Gateway", f"Braintree-{GATEWAY}", "gateway_settings", "Stripe Settings")
		frappe.db.commit()
		self.assertEqual(gateway_currencies(), frozenset())
		page, pay = self.get(
			user, password, [("GET", "/portal/invoices", None), ("POST", PAY, {"invoice": invoice})]
		)
		self.assertTrue(shows(page, f'data-invoice="{invoice}"'))
		self.assertFalse(shows(page, "data-pay="))
		self.assertEqual(pay.status_code, 417, pay.get_data(as_text=True)[:300])
		self.assertEqual(self.requests_for([invoice]), {invoice: []})

	def test_with_a_gateway_pay_now_makes_one_payment_request_for_that_invoice_only(self):
		own, other = self.patient(), self.patient()
		user, password = self.login(own.name)
		paid = make_invoice(own.name, rate=80, days_ago=4)
		receive_payment(paid)
		partly = make_invoice(own.name, rate=200, days_ago=3)
		receive_payment(partly, 50)
		unpaid = make_invoice(own.name, rate=120)
		note = credit_note(make_invoice(own.name, rate=60, days_ago=2))
		theirs = make_invoice(other.name, rate=90)
		configure_gateway()
		self.assertIn(frappe.db.get_value("Sales Invoice", unpaid, "currency"), gateway_currencies())
		page, first, again, partial, refused_paid, refused_return, refused_theirs = self.get(
			user,
			password,
			[
				("GET", "/portal/invoices", None),
				("POST", PAY, {"invoice": unpaid}),
				("POST", PAY, {"invoice": unpaid}),
				("POST", PAY, {"invoice": partly}),
				("POST", PAY, {"invoice": paid}),
				("POST", PAY, {"invoice": note}),
				("POST", PAY, {"invoice": theirs}),
			],
		)
		html = page.get_data(as_text=True)
		self.assertEqual(
			{name for name in (paid, partly, unpaid, note) if f'data-pay="{name}"' in html}, {partly, unpaid}
		)
		self.assertTrue(
			f'aria-label="Pay now: invoice {unpaid}"' in html, f'aria-label="Pay now: invoice {unpaid}"'
		)
		self.assertFalse(
			"To pay an invoice, please contact your clinic." in html,
			"To pay an invoice, please contact your clinic.",
		)

		self.assertEqual(first.status_code, 200, first.get_data(as_text=True)[:500])
		url = first.json["message"]["redirect_to"]
		self.assertEqual(
			again.json["message"]["redirect_to"], url, "a second click goes to the same checkout"
		)
		self.assertEqual(urlparse(url).path, "/braintree_checkout")
		query = parse_qs(urlparse(url).query)
		self.assertEqual(query["reference_doctype"], ["Payment Request"])
		self.assertEqual(partial.status_code, 200, partial.get_data(as_text=True)[:500])
		self.assertNotEqual(partial.json["message"]["redirect_to"], url)
		self.assertEqual(refused_paid.status_code, 417)
		self.assertEqual(refused_return.status_code, 417)
		self.assertTrue(pdf_is_refused(refused_theirs), refused_theirs.status_code)

		requests = self.requests_for([unpaid, partly, paid, note, theirs])
		(request,) = requests[unpaid]
		self.assertEqual(query["reference_docname"], [request.name])
		self.assertEqual((request.docstatus, request.status), (1, "Initiated"))
		self.assertEqual(flt(request.grand_total), 120)
		self.assertEqual(request.payment_url, url)
		self.assertEqual(request.owner, user)
		(part,) = requests[partly]
		self.assertEqual(flt(part.grand_total), 150, "only what is still to pay")
		self.assertEqual((requests[paid], requests[note], requests[theirs]), ([], [], []))

	def test_pay_now_submits_the_request_whether_or_not_erpnext_drafts_it_first(self):
		from portal_onboarding.api import invoices as invoices_api

		patient = self.patient()
		user, _password = self.login(patient.name)
		configure_gateway()
		for draft_first in (0, 1):
			invoice = make_invoice(patient.name, rate=70 + draft_first)
			frappe.db.set_single_value("Accounts Settings", "create_pr_in_draft_status", draft_first)
			frappe.set_user(user)
			try:
				url = invoices_api.pay(invoice)["redirect_to"]
			finally:
				frappe.set_user("Administrator")
			(request,) = frappe.get_all(
				"Payment Request",
				filters={"reference_name": invoice},
				fields=["name", "docstatus", "status", "grand_total", "owner", "payment_url"],
			)
			self.assertEqual(
				(
					request.docstatus,
					request.status,
					flt(request.grand_total),
					request.owner,
					request.payment_url,
				),
				(1, "Initiated", 70 + draft_first, user, url),
				draft_first,
			)
		frappe.db.rollback()

	def test_pay_now_is_rate_limited_per_login(self):
		from portal_onboarding.api import invoices as invoices_api

		patient = self.patient()
		user, _password = self.login(patient.name)
		invoice = make_invoice(patient.name)
		frappe.set_user(user)
		try:
			for _attempt in range(invoices_api.PAYMENTS_PER_HOUR):
				with self.assertRaises(frappe.ValidationError) as refused:  # no gateway here
					invoices_api.pay(invoice)
				self.assertNotIsInstance(refused.exception, frappe.RateLimitExceededError)
			self.assertRaises(frappe.RateLimitExceededError, invoices_api.pay, invoice)
		finally:
			frappe.set_user("Administrator")
		frappe.db.rollback()
