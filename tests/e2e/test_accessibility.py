"""WCAG 2.1 AA on every patient-facing page: axe-core on each page, language and width, with Frappe's page
frame (navbar, footer, sign-in card) as the patient sees it; and per view what axe does not check: no
sideways scrolling, reflow at 200 % zoom, the page's language and a title of its own.

One signed-in browser context per person, language and width serves every page of that person, so the
matrix costs one page load per view. Each view's findings also go to tests/.reports/accessibility.json.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import frappe
from frappe.utils import add_days, today

from portal_onboarding.api import account as account_api
from portal_onboarding.api import forms as forms_api
from portal_onboarding.constants import ACCOUNT, FORM_REQUEST
from portal_onboarding.invitations import portal_access, sending
from tests.e2e.axe import describe, violations
from tests.integration.factories import (
	INTAKE_DOCTYPE,
	JobRecorder,
	accept_link,
	activation_key,
	delete_user,
	ensure_intake_form,
	ensure_outgoing_email_account,
	http_as,
	http_guest,
	make_eligible_patient,
	make_user,
	purge_patient,
	queued_mails,
	strong_password,
	unique,
)
from tests.integration.test_portal import CLINICAL, lab_test, raw_insert
from tests.site import site_name

REPORT = Path(__file__).resolve().parents[1] / ".reports" / "accessibility.json"

GUEST = "guest"
MUST_CHANGE = "must-change"  # a login whose clinic set its password: it must choose its own first
PATIENT = "patient"  # a login for the patient themself and, as their parent, for their child

LANGUAGES = ("en", "es")
WIDTHS = (1280, 375)
HEIGHT = 800


@dataclass(frozen=True)
class View:
	name: str
	path: str  # "{activation}" and "{reset}" stand for a live link's key
	who: str
	ready: str  # shown once the page's own script has run
	section: str | None = None  # the portal section the login needs for it


# Every patient-facing page, one line each.
PAGES = (
	View("sign-in", "/login", GUEST, "[data-portal-sign-up]"),
	View("sign-up", "/portal/register", GUEST, ".portal-register[data-state='form']"),
	View("forgot-password", "/portal/forgot-password", GUEST, ".portal-forgot[data-state='form']"),
	View("activate", "/portal/activate#key={activation}", GUEST, ".portal-activate[data-state='identity']"),
	View("activate-bad-link", "/portal/activate#key={bad}", GUEST, ".portal-activate[data-state='invalid']"),
	View("reset-password", "/portal/reset-password#key={reset}", GUEST, ".portal-reset[data-state='form']"),
	View("change-password", "/portal/change-password", MUST_CHANGE, "[data-role='required']"),
	View("home", "/portal", PATIENT, "[data-portal-home-sections]"),
	View("appointments", "/portal/appointments", PATIENT, "[data-appointment]", "Appointments"),
	View("lab-results", "/portal/lab-results", PATIENT, "[data-out-of-range]", "Lab Results"),
	View("prescriptions", "/portal/prescriptions", PATIENT, "[data-prescription]", "Prescriptions"),
	View("personal-details", "/portal/personal-details", PATIENT, "[data-contact-form]"),
	View("people", "/portal/people", PATIENT, "[data-person] summary"),
	View("forms", "/portal/forms", PATIENT, "[data-fill-in]", "Forms"),
	View("medical-records", "/portal/medical-records", PATIENT, ".portal-medical-records", "Medical Records"),
	View("invoices", "/portal/invoices", PATIENT, ".portal-invoices", "Invoices"),
	View("documents", "/portal/documents", PATIENT, ".portal-documents", "Documents"),
)
SECTIONS = sorted({page.section for page in PAGES if page.section})


def patient_records(patient: str, web_form: str) -> None:
	"""What a patient's pages show: an upcoming and a past visit, a lab result out of range, a
	prescription, and a form to fill in."""
	for days, doctor, status in ((5, "Dr Alder", "Scheduled"), (-30, "Dr Birch", "Closed")):
		raw_insert(
			{
				"doctype": "Patient Appointment",
				"patient": patient,
				"appointment_date": add_days(today(), days),
				"appointment_time": "10:15:00",
				"practitioner_name": doctor,
				"department": "General Medicine",
				"status": status,
			}
		)
	lab_test(patient, value="7.9")
	raw_insert(
		{"doctype": "Patient Encounter", "patient": patient, "docstatus": 1, "encounter_date": today()},
		{
			"drug_prescription": (
				"Drug Prescription",
				[
					{
						"drug_name": "Amoxicillin 500 mg",
						"dosage": "1-0-1",
						"period": "7 Day",
						"comment": "With food",
					}
				],
			)
		},
	)
	with JobRecorder() as jobs:
		forms_api.request_form(patient, web_form, add_days(today(), 7))
		jobs.run()


def invited(patient: str, representative: dict | None = None) -> tuple[str, str]:
	"""(account, raw activation key) of a fresh invitation, mailed as the worker would."""
	with JobRecorder() as jobs:
		account, invitation = sending.invite(patient, representative=representative)
		jobs.run()
	return account.name, activation_key(invitation.name)


def reset_key(account: str) -> str:
	account_api.send_password_reset(account)
	reset = frappe.get_all(
		"Patient Portal Password Reset", filters={"account": account}, pluck="name", order_by="creation desc"
	)[0]
	html = queued_mails(reset, "Patient Portal Password Reset")[-1]["html"]
	return re.search(r"/portal/reset-password#key=([A-Za-z0-9_\-]+)", html).group(1)


@pytest.fixture(scope="module")
def people() -> Iterator[dict]:
	"""Per language: a patient whose login also reaches their child, and a login that must change its
	password; plus a live activation link and a live reset link. Committed, removed afterwards."""
	frappe.flags.in_test = True  # lets the test Email Account skip its SMTP connection check
	try:
		ensure_outgoing_email_account()
	finally:
		frappe.flags.in_test = False
	web_form = ensure_intake_form()
	patients = []
	child = make_eligible_patient(first_name="Nico")
	patients.append(child.name)
	logins: dict[tuple[str, str], tuple[str, str]] = {}
	proxy = {"first_name": "Ana", "last_name": "Proxy", "relation": "Spouse or Partner"}
	chosen: dict[str, str] = {}  # the patient each language's login looks at (not the child)
	for lang in LANGUAGES:
		parent = make_eligible_patient(first_name="Robin" if lang == "en" else "Lucía", language=lang)
		patients.append(parent.name)
		username, password = unique("a11y."), strong_password()
		account, key = invited(parent.name)
		assert accept_link(key, username=username, password=password)["ok"]
		_rep, key = invited(
			child.name,
			{
				"first_name": parent.first_name,
				"last_name": "Tester",
				"email": parent.email,
				"relation": "Parent",
			},
		)
		assert accept_link(key, username=username, password=password, existing_login=1)["ok"]
		for name in (parent.name, child.name):
			for row in frappe.get_all(ACCOUNT, filters={"patient": name, "username": username}, pluck="name"):
				portal_access.set_permitted_sections(row, SECTIONS)
		patient_records(parent.name, web_form)
		# A proxy the clinic invited for the adult: the People page shows them with the forms that change them.
		invited(parent.name, {**proxy, "email": f"{unique('proxy')}@example.com"})
		frappe.db.set_value("User", frappe.db.get_value(ACCOUNT, account, "user"), "language", lang)
		logins[PATIENT, lang] = (username, password)
		chosen[lang] = parent.name

		held = make_eligible_patient(language=lang)
		patients.append(held.name)
		account = account_api.enable(held.name)["account"]
		username, password = unique("a11y."), strong_password()
		account_api.set_credentials(account, username, password)
		frappe.db.set_value("User", frappe.db.get_value(ACCOUNT, account, "user"), "language", lang)
		logins[MUST_CHANGE, lang] = (username, password)

	waiting = make_eligible_patient()
	patients.append(waiting.name)
	_account, activation = invited(waiting.name)
	resetting = make_eligible_patient()
	patients.append(resetting.name)
	account, key = invited(resetting.name)
	assert accept_link(key)["ok"]
	reset = reset_key(account)
	frappe.db.commit()
	yield {
		"logins": logins,
		"keys": {"activation": activation, "reset": reset, "bad": unique("expired-")},
		"chosen": chosen,
	}
	frappe.db.rollback()
	for doctype in CLINICAL:
		frappe.db.delete(doctype, {"patient": ("in", patients)})
	frappe.db.delete(FORM_REQUEST, {"patient": ("in", patients)})
	frappe.db.delete(INTAKE_DOCTYPE, {"patient": ("in", patients)})
	frappe.db.commit()
	for patient in patients:
		purge_patient(patient)


def choose_patient(page, patient: str) -> None:
	"""Pick the patient the portal shows, as the switcher does."""
	status = page.evaluate(
		"""(patient) => fetch("/api/method/portal_onboarding.api.portal.choose_patient", {
			method: "POST",
			headers: {"Content-Type": "application/x-www-form-urlencoded", "X-Frappe-CSRF-Token": frappe.csrf_token},
			body: new URLSearchParams({patient}),
		}).then((r) => r.status)""",
		patient,
	)
	assert status == 200, status


class Visitor:
	"""One browser context per (person, language, width), kept for the module; each person signs in
	once per language and the other contexts share that session."""

	def __init__(self, browser, base_url: str, people: dict) -> None:
		self.browser, self.base_url, self.people = browser, base_url, people
		self.pages: dict[tuple, object] = {}
		self.sessions: dict[tuple[str, str], dict] = {}

	def page(self, who: str, lang: str, width: int):
		key = (who, lang, width)
		if key not in self.pages:
			context = self.browser.new_context(
				viewport={"width": width, "height": HEIGHT},
				locale="es-ES" if lang == "es" else "en-US",  # a guest's language: Accept-Language
				storage_state=self.sessions.get((who, lang)),
			)
			page = context.new_page()
			page.set_default_timeout(30_000)
			if who != GUEST and (who, lang) not in self.sessions:
				self.sign_in(page, who, lang)
				self.sessions[who, lang] = context.storage_state()
			self.pages[key] = page
		return self.pages[key]

	def sign_in(self, page, who: str, lang: str) -> None:
		username, password = self.people["logins"][who, lang]
		page.goto(f"{self.base_url}/login")
		page.fill("#login_email", username)
		page.fill("#login_password", password)
		page.click(".btn-login")
		page.wait_for_url("**/portal/change-password" if who == MUST_CHANGE else "**/portal")
		if who == PATIENT:
			choose_patient(page, self.people["chosen"][lang])

	def open(self, view: View, lang: str, width: int):
		page = self.page(view.who, lang, width)
		url = self.base_url + view.path.format(**self.people["keys"])
		if page.url.split("#")[0] == url.split("#")[0]:
			page.goto("about:blank")  # a change of fragment alone would not load the page again
		page.goto(url)  # waits for "load": Frappe's ready handlers (navbar, page scripts) have run
		page.locator(view.ready).first.wait_for()
		return page

	def close(self) -> None:
		for page in self.pages.values():
			page.context.close()


@pytest.fixture(scope="module")
def visitor(browser, base_url, people) -> Iterator[Visitor]:
	visitor = Visitor(browser, base_url, people)
	yield visitor
	visitor.close()


@pytest.fixture(scope="module")
def report() -> Iterator[dict]:
	found: dict[str, list] = {}
	yield found
	REPORT.parent.mkdir(parents=True, exist_ok=True)
	counts: dict[str, int] = {}
	for items in found.values():
		for item in items:
			counts[item["id"]] = counts.get(item["id"], 0) + 1
	REPORT.write_text(json.dumps({"views": found, "views_failing_per_rule": counts}, indent=1))


MATRIX = [
	pytest.param(view, lang, width, id=f"{view.name}-{lang}-{width}")
	for view in PAGES
	for lang in LANGUAGES
	for width in WIDTHS
]


def scrolls_sideways(page) -> bool:
	"""Whether the page itself scrolls sideways (a wide table scrolls in its own region instead)."""
	return page.evaluate("document.scrollingElement.scrollWidth > document.scrollingElement.clientWidth")


CUT_OFF = """() => [...document.querySelectorAll("main h1, main h2, main p, main label, main .btn, main .nav-link")]
	.filter((el) => el.getClientRects().length && !el.closest(".sr-only")
		&& el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible")
	.map((el) => el.outerHTML.slice(0, 80))"""


def assert_reflows_at_200_percent(page, where: str) -> None:
	"""Zooming the window to 200 % lays the shown page out again in half the CSS pixels: nothing may be
	cut off or scroll sideways (1.4.4, 1.4.10)."""
	size = page.viewport_size
	page.set_viewport_size({"width": size["width"] // 2, "height": size["height"] // 2})
	try:
		assert not scrolls_sideways(page), f"{where} at 200 %: the page scrolls sideways"
		assert not page.evaluate(CUT_OFF), f"{where} at 200 %: text cut off: {page.evaluate(CUT_OFF)}"
	finally:
		page.set_viewport_size(size)


@pytest.mark.parametrize(("view", "lang", "width"), MATRIX)
def test_page_meets_wcag_21_aa(visitor, report, titles, view, lang, width):
	"""No violation axe finds (naming the rule, the elements and the page), then what axe leaves out."""
	page = visitor.open(view, lang, width)
	path = view.path.split("#")[0]
	where = f"{view.name} ({lang}, {width} px, {path})"
	found = violations(page)
	report[f"{view.name}-{lang}-{width}"] = found
	assert not found, describe(found, where)
	assert not scrolls_sideways(page), f"{where}: the page scrolls sideways"
	if width > 640:
		assert_reflows_at_200_percent(page, where)
	# The page says which language it is in (3.1.1) and has a title of its own in it (2.4.2).
	assert page.evaluate("document.documentElement.lang").split("-")[0] == lang, where
	title = page.title().strip()
	assert title, f"{where}: no title"
	assert titles.setdefault((lang, title), path) == path, (
		f"{where}: {title!r} is {titles[lang, title]}'s title too"
	)
	if lang == "es":
		english = [t for (each_lang, t), p in titles.items() if each_lang == "en" and p == path]
		assert title not in english, f"{where}: the title {title!r} is not translated"


@pytest.fixture(scope="module")
def titles() -> dict:
	"""(language, title) -> the path that has it, across the matrix."""
	return {}


def test_desk_and_the_rest_of_the_website_keep_frappes_look():
	"""The portal's stylesheet and script dress the portal's pages and the sign-in page, nothing else."""
	frame = ("/assets/portal_onboarding/css/portal.css", "/assets/portal_onboarding/js/portal.js")

	def dressed(response) -> bool:
		html = response.get_data(as_text=True)
		has_frame = [asset in html for asset in frame] + ['class="portal-onboarding"' in html]
		assert len(set(has_frame)) == 1, has_frame  # all three or none
		return has_frame[0]

	sign_in, forgot, other = http_guest(
		site_name(),
		[("GET", "/login", None), ("GET", "/portal/forgot-password", None), ("GET", "/about", None)],
	)
	assert dressed(sign_in) and dressed(forgot)
	assert not dressed(other)
	staff, password = make_user(["System Manager"])
	frappe.db.commit()
	try:
		_login, desk = http_as(site_name(), staff, password, [("GET", "/app")])
		assert desk.status_code == 200
		assert not dressed(desk)
	finally:
		delete_user(staff)
