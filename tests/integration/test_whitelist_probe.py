"""Deny by default: a portal login calls every whitelisted method of every installed app, each with
another patient's id in every parameter. Nothing may answer with that patient's data, nothing may change
that patient's records, and only the allowlist's methods may run at all. The counts go to
tests/.reports/whitelist_probe.txt for the closing note."""

import importlib
import inspect
import pkgutil
from pathlib import Path
from urllib.parse import quote

from werkzeug.test import Client

import frappe
from frappe.utils import nowdate

from portal_onboarding.core.portal_gate import CHECKOUT_METHODS, PORTAL_METHODS
from tests.integration.factories import in_own_thread
from tests.integration.test_portal import PortalCase
from tests.site import site_name

REPORT = Path(__file__).resolve().parents[1] / ".reports" / "whitelist_probe.txt"
# Methods that end the prober's own session: called, they would turn every later probe into a guest's.
SESSION_ENDERS = {"frappe.handler.logout", "frappe.handler.web_logout"}
# Modules a site never imports for a request (tests, patches, bench commands).
SKIPPED_PARTS = ("tests", "test", "patches", "commands")


def import_every_module() -> tuple[int, int]:
	"""Import every module of every installed app, so `frappe.whitelisted` holds all they declare."""
	imported = failed = 0
	for app in frappe.get_installed_apps():
		package = importlib.import_module(app)
		for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}.", onerror=lambda _name: None):
			parts = info.name.split(".")
			if any(part in SKIPPED_PARTS or part.startswith("test_") for part in parts):
				continue
			try:
				importlib.import_module(info.name)
				imported += 1
			except Exception:
				failed += 1
	return imported, failed


def whitelisted() -> tuple[dict[str, object], list[str]]:
	"""Module-level methods by their dotted path, and controller methods (reached only through
	run_doc_method or /api/v2/document/…/method, which the gate refuses whole)."""
	functions, controller_methods = {}, []
	for fn in frappe.whitelisted:
		if "." in fn.__qualname__:
			controller_methods.append(f"{fn.__module__}.{fn.__qualname__}")
		else:
			functions[f"{fn.__module__}.{fn.__qualname__}"] = fn
	return functions, controller_methods


def resolve(method: str) -> object:
	"""What Frappe runs for a method name: an override hook's target, a handler shorthand, or the path."""
	from frappe import handler

	target = (frappe.get_hooks("override_whitelisted_methods", {}).get(method) or [method])[-1]
	return handler.get_attr(target)


def parameters(fn: object) -> list[str]:
	try:
		signature = inspect.signature(inspect.unwrap(fn))
	except (TypeError, ValueError):
		return []
	return [
		name
		for name, p in signature.parameters.items()
		if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and name != "self"
	]


def argument(parameter: str, victim: str) -> str:
	"""The other patient's id in every parameter; where a doctype is asked for, the Patient doctype."""
	return "Patient" if "doctype" in parameter or parameter in ("dt", "ref_dt") else victim


def opened_methods() -> list[str]:
	"""The allowlist's methods; `login` is no method but Frappe's LoginManager answering that command."""
	return [method for method in PORTAL_METHODS if method != "login"]


class TestEveryWhitelistedMethod(PortalCase):
	def setUp(self):
		super().setUp()
		imported, failed = import_every_module()
		self.assertGreater(imported, 500)
		self.import_failures = failed
		self.functions, self.controller_methods = whitelisted()

	def test_the_allowlist_names_only_whitelisted_methods(self):
		for method in opened_methods():
			self.assertIn(resolve(method), frappe.whitelisted, method)
		# The allowlist opens the app's portal endpoints and Frappe's sign-in and web form submit, nothing
		# of ERPNext or Marley, and of Payments only the guest call of each checkout page Pay now leads to.
		for method in PORTAL_METHODS:
			self.assertFalse(method.startswith(("erpnext.", "healthcare.")), method)
			if method.startswith("payments."):
				self.assertIn(method, CHECKOUT_METHODS.values())
				self.assertIn(resolve(method), frappe.guest_methods, method)

	def victim(self) -> tuple[str, list[str], dict]:
		"""Another patient with demographics, an address, vital signs and an appointment-ready record."""
		victim = self.patient(mobile="+15557770199")
		marker = frappe.generate_hash(length=12)
		vitals = frappe.get_doc(
			{
				"doctype": "Vital Signs",
				"patient": victim.name,
				"signs_date": nowdate(),
				"temperature": "39.7",
				"vital_signs_note": f"note-{marker}",
			}
		).insert(ignore_permissions=True)
		vitals.submit()
		frappe.db.commit()
		markers = [victim.email, "5557770199", f"note-{marker}"]
		state = self.state_of(victim.name)
		return victim.name, markers, state

	def changed(self, patient: str, before: dict) -> list[str]:
		return [key for key, value in self.state_of(patient).items() if before[key] != value]

	def state_of(self, patient: str) -> dict:
		row = frappe.db.get_value(
			"Patient", patient, ["modified", "modified_by", "customer", "email"], as_dict=True
		)
		return {
			**row,
			"appointments": frappe.db.count("Patient Appointment", {"patient": patient}),
			"vitals": frappe.db.count("Vital Signs", {"patient": patient}),
			"encounters": frappe.db.count("Patient Encounter", {"patient": patient}),
			"accounts": frappe.db.count("Patient Portal Account", {"patient": patient}),
		}

	def test_no_method_answers_with_or_changes_another_patients_records(self):
		own = self.patient()
		_account, user, password = self.login_with_password(own.name)
		victim, markers, before = self.victim()
		probes = sorted(set(self.functions) - SESSION_ENDERS)

		def work() -> list[tuple[str, int, str]]:
			from frappe.app import application

			client = Client(application)
			headers = {"Host": site_name()}
			login = client.post("/api/method/login", data={"usr": user, "pwd": password}, headers=headers)
			assert login.status_code == 200, login.get_data(as_text=True)
			answers = []
			for method in probes:
				data = {name: argument(name, victim) for name in parameters(self.functions[method])}
				response = client.post(f"/api/method/{method}", data=data, headers=headers)
				answers.append((method, response.status_code, response.get_data().decode("utf-8", "replace")))
				if response.status_code == 403 and method not in PORTAL_METHODS:
					continue
				# A method that ran may have ended or changed the session: sign in again if so.
				me = client.get("/api/method/frappe.auth.get_logged_user", headers=headers)
				if me.status_code != 200 or user not in me.get_data(as_text=True):
					client.post("/api/method/login", data={"usr": user, "pwd": password}, headers=headers)
			for path in (
				f"/api/method/run_doc_method?dt=Patient&dn={quote(victim)}&method=get_patient_detail",
				f"/api/v2/document/Patient/{quote(victim)}/method/onload",
				f"/api/resource/Patient/{quote(victim)}",
			):
				response = client.post(path, headers=headers)
				answers.append((path, response.status_code, response.get_data().decode("utf-8", "replace")))
			still_in = client.get("/portal", headers=headers)
			answers.append(("/portal", still_in.status_code, still_in.get_data(as_text=True)))
			return answers

		answers = in_own_thread(work)
		frappe.db.rollback()
		*calls, (_portal, portal_status, portal_body) = answers
		leaks = [(m, status) for m, status, body in calls if any(marker in body for marker in markers)]
		ran = [m for m, status, _body in calls if status != 403]
		allowed = {resolve(method) for method in opened_methods()}
		opened = sorted(m for m, fn in self.functions.items() if fn in allowed)
		REPORT.parent.mkdir(parents=True, exist_ok=True)
		REPORT.write_text(
			"\n".join(
				[
					f"whitelisted module-level methods: {len(self.functions)}",
					f"whitelisted controller methods (run_doc_method only): {len(self.controller_methods)}",
					f"modules that failed to import: {self.import_failures}",
					f"opened by the allowlist: {len(PORTAL_METHODS)} names, {len(opened)} of the methods",
					f"probes: {len(calls)}, answered other than 403: {len(ran)}",
					f"leaks: {len(leaks)}",
					f"changes to the other patient: {sorted(self.changed(victim, before))}",
					*(f"  ran: {m}" for m in ran),
					*(f"  leak: {m} ({status})" for m, status in leaks),
				]
			)
			+ "\n"
		)
		self.assertEqual(
			(leaks, self.changed(victim, before)),
			([], []),
			"a call answered with or changed the other patient",
		)
		# Only what the allowlist names ran; everything else was refused before it ran.
		self.assertEqual(set(ran) - set(PORTAL_METHODS), set(), ran)
		self.assertGreater(len(calls), 1000)
		self.assertTrue(opened)
		# The login still has its portal.
		self.assertEqual(portal_status, 200)
		self.assertIn(frappe.db.get_value("Patient", own.name, "patient_name"), portal_body)
