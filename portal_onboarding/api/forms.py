"""Forms requested through the portal: managers request and cancel; portal logins open them."""

import frappe
from frappe import _

from portal_onboarding.api.account import check_admin, require_portal_admin
from portal_onboarding.constants import FORM_REQUEST
from portal_onboarding.forms import requests


@frappe.whitelist(methods=["GET"])
def requestable_forms() -> list[dict]:
	"""Published web forms that require login, for the request dialog.

	Portal admins need not read Web Form (a Website Manager's doctype) to pick one; they see only
	the names and titles of forms that could be requested.
	"""
	require_portal_admin()
	return frappe.get_all(
		"Web Form",
		filters={"published": 1, "login_required": 1},
		fields=["name", "title"],
		order_by="title asc",
	)


@frappe.whitelist(methods=["POST"])
def request_form(patient: str, web_form: str, due_date: str | None = None) -> dict:
	"""Ask the patient to fill in a web form through the portal."""
	check_admin(patient)
	doc = requests.request(patient, web_form, due_date)
	return {"request": doc.name, "status": doc.status}


@frappe.whitelist(methods=["POST"])
def cancel_request(request: str, reason: str | None = None) -> dict:
	"""Withdraw an open request, with the reason."""
	require_portal_admin()
	patient = frappe.db.get_value(FORM_REQUEST, request, "patient")
	if not patient:
		frappe.throw(_("Form request {0} does not exist.").format(request), exc=frappe.DoesNotExistError)
	check_admin(patient)
	return {"status": requests.cancel(request, reason or "").status}


@frappe.whitelist(methods=["GET"])
def patient_requests(patient: str) -> list[dict]:
	"""The patient's form requests for the Patient form (only for those who may read requests)."""
	frappe.has_permission("Patient", "read", patient, throw=True)
	return frappe.get_list(
		FORM_REQUEST,
		filters={"patient": patient},
		fields=[
			"name",
			"form_title",
			"due_date",
			"status",
			"submitted_on",
			"reference_doctype",
			"reference_name",
		],
		order_by="creation desc",
		limit_page_length=20,
	)


@frappe.whitelist(methods=["POST"])
def start(request: str) -> dict:
	"""The portal's "Fill in": remember the request for this session and say where the form is."""
	if frappe.session.user == "Guest":
		raise frappe.PermissionError(_("Please sign in first."))
	return {"redirect_to": requests.start(request)}
