"""Forms requested through the portal: staff request a web form from a patient; the person fills it in
from the portal's Forms page, and the submission marks the request done.

A submission is bound to its request by the session, never by the URL: the portal's "Fill in" button
(a POST that checks the grant) remembers the request for this session, and the web form's insert is
matched against it. The document's Link to Patient is set from the request, whatever was sent. Nobody
else on the website (no grant, no request) names a patient, and no web form edit changes it afterwards.
"""

from typing import Any

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from portal_onboarding.constants import ACCOUNT, FORM_REQUEST, AccountStatus, EventType
from portal_onboarding.core.forms import (
	FORMS_SECTION,
	FormRequestStatus,
	RequestFacts,
	check_cancel,
	check_request,
	check_submission,
	patient_field,
)
from portal_onboarding.exceptions import InvalidAccount, throw_reasons
from portal_onboarding.permissions import granted
from portal_onboarding.primitives.audit import log_event
from portal_onboarding.primitives.locks import lock_patient
from portal_onboarding.security.actions import app_action, in_app_action
from portal_onboarding.security.mail import clinic_name, in_language
from portal_onboarding.security.mail import render as render_mail
from portal_onboarding.security.mail import send as send_mail
from portal_onboarding.security.mailed_links import clinic_link
from portal_onboarding.security.portal_gate import is_portal_login

# What other capabilities may use; the rest of this module is the capability's own.
__all__ = ["cancel", "request", "requested_doctypes"]

S = FormRequestStatus
FORMS_PATH = "/portal/forms"
STARTED_KEY = "portal_onboarding:form_request:{sid}"
STARTED_SECONDS = 24 * 60 * 60
REQUESTED_DOCTYPES_KEY = "portal_onboarding:requested_form_doctypes"
# Accounts that can still come to see a request (once invited and activated).
REACHING = (AccountStatus.ENABLED, AccountStatus.INVITED, AccountStatus.ACTIVE)


def accounts_with_forms(patient: str) -> tuple[int, int, list[str]]:
	"""(accounts that reach the patient, those permitting Forms, the Active ones' contact emails)."""
	accounts = frappe.get_all(
		ACCOUNT,
		filters={"patient": patient, "status": ("in", REACHING)},
		fields=["name", "status", "contact_email"],
	)
	with_forms = set(
		frappe.get_all(
			"Patient Portal Section",
			filters={
				"parent": ("in", [a.name for a in accounts] or [""]),
				"parenttype": ACCOUNT,
				"portal_section": FORMS_SECTION,
			},
			pluck="parent",
		)
	)
	emails = sorted(
		{
			a.contact_email
			for a in accounts
			if a.name in with_forms and a.status == AccountStatus.ACTIVE and a.contact_email
		}
	)
	return len(accounts), len(with_forms), emails


@app_action
def request(patient: str, web_form: str, due_date: str | None = None) -> Any:
	"""Ask the patient (through every account permitting Forms) to fill in `web_form`."""
	patient_doc = lock_patient(patient)
	form = frappe.db.get_value(
		"Web Form", web_form, ["name", "title", "published", "login_required", "route"], as_dict=True
	)
	try:
		due = getdate(due_date) if due_date else None
	except Exception:
		frappe.throw(_("The due date {0} is not a date.").format(frappe.bold(due_date)), exc=InvalidAccount)
	accounts, with_forms, emails = accounts_with_forms(patient)
	throw_reasons(
		check_request(
			RequestFacts(
				due_date=due,
				today=getdate(),
				web_form_exists=bool(form),
				published=bool(form and form.published),
				login_required=bool(form and form.login_required),
				already_requested=bool(
					form
					and frappe.db.exists(
						FORM_REQUEST, {"patient": patient, "web_form": web_form, "status": S.REQUESTED}
					)
				),
				accounts=accounts,
				accounts_with_forms=with_forms,
			)
		),
		InvalidAccount,
		_("The form cannot be requested"),
	)
	doc = frappe.get_doc(
		{
			"doctype": FORM_REQUEST,
			"patient": patient_doc.name,
			"web_form": form.name,
			"form_title": form.title,
			"due_date": due,
			"status": S.REQUESTED,
			"requested_by": frappe.session.user,
			"requested_on": now_datetime(),
		}
	).insert(ignore_permissions=True)
	log_event(EventType.FORM_REQUESTED, None, patient, _("{0}: {1}").format(doc.name, form.title))
	forget_requested_doctypes()
	notify(doc, emails, patient_doc.language)
	return doc


def notify(doc: Any, emails: list[str], language: str | None) -> None:
	"""Tell the people who can act that a form waits; the mail names no form and no health detail."""
	if not emails:
		return
	with in_language(language):
		clinic = clinic_name()
		subject = _("{0} has a form for you on the patient portal").format(clinic)
		message = render_mail(
			"portal_onboarding/templates/emails/portal_form_requested.html",
			{"clinic_name": clinic, "link": clinic_link(FORMS_PATH)},
		)
	send_mail(emails, subject, message, FORM_REQUEST, doc.name)


def lock_request(name: str) -> Any:
	if not frappe.db.exists(FORM_REQUEST, name):
		frappe.throw(
			_("Form request {0} does not exist.").format(frappe.bold(name)), exc=frappe.DoesNotExistError
		)
	return frappe.get_doc(FORM_REQUEST, name, for_update=True)


@app_action
def cancel(name: str, reason: str) -> Any:
	"""Withdraw a request that is still open; the portal stops showing it."""
	doc = lock_request(name)
	problem = check_cancel(doc.status, reason)
	throw_reasons([problem] if problem else [], InvalidAccount, _("The request cannot be cancelled"))
	doc.status = S.CANCELLED
	doc.cancel_reason = reason.strip()
	doc.save(ignore_permissions=True)
	log_event(
		EventType.FORM_REQUEST_CANCELLED, None, doc.patient, _("{0}: {1}").format(name, doc.cancel_reason)
	)
	forget_requested_doctypes()
	return doc


def for_patient(patient: str, statuses: tuple[str, ...] = S.ALL, limit: int = 50) -> list[Any]:
	"""The patient's requests, newest first (callers have checked who may see them)."""
	return frappe.get_all(
		FORM_REQUEST,
		filters={"patient": patient, "status": ("in", statuses)},
		fields=[
			"name",
			"form_title",
			"web_form",
			"due_date",
			"status",
			"submitted_on",
			"reference_doctype",
			"reference_name",
			"requested_on",
		],
		order_by="creation desc",
		limit=limit,
	)


# The portal side


def started_key() -> str:
	return STARTED_KEY.format(sid=frappe.session.sid)


def start(name: str) -> str:
	"""Remember, for this session, the request the person is about to fill in; returns the form's page.

	Every refusal is the same 403: a request of a patient this login may not see does not exist for it.
	"""
	doc = frappe.db.get_value(FORM_REQUEST, name, ["patient", "web_form", "status"], as_dict=True)
	if not doc or not granted(doc.patient, section=FORMS_SECTION):
		raise frappe.PermissionError(_("This form is not available to you."))
	problem = check_submission(doc.status)
	if problem:
		frappe.throw(_(problem.message), exc=InvalidAccount)
	frappe.cache.set_value(started_key(), name, expires_in_sec=STARTED_SECONDS)
	route = frappe.db.get_value("Web Form", doc.web_form, "route")
	return f"/{route}/new"


def requested_doctypes() -> set[str]:
	"""Doctypes of web forms ever requested through the portal: the only inserts the hooks look at.

	Not only the open ones: a second submission of a form already sent must meet the request too.
	"""
	cached = frappe.cache.get_value(REQUESTED_DOCTYPES_KEY)
	if cached is None:
		forms = frappe.get_all(FORM_REQUEST, pluck="web_form", distinct=True)
		cached = sorted(
			set(frappe.get_all("Web Form", filters={"name": ("in", forms or [""])}, pluck="doc_type"))
		)
		frappe.cache.set_value(REQUESTED_DOCTYPES_KEY, cached)
	return set(cached)


def forget_requested_doctypes() -> None:
	frappe.db.after_commit.add(lambda: frappe.cache.delete_value(REQUESTED_DOCTYPES_KEY))
	frappe.cache.delete_value(REQUESTED_DOCTYPES_KEY)


def submitted_doctype() -> str | None:
	"""The doctype of the web form this request submits (`accept` sets `in_web_form` for the whole
	request, so every other document saved meanwhile must be told apart from the form's own)."""
	return frappe.db.get_value("Web Form", frappe.form_dict.get("web_form"), "doc_type", cache=True)


def doc_patient_field(doctype: str) -> str | None:
	meta = frappe.get_meta(doctype)
	return patient_field([(df.fieldname, df.fieldtype, df.options) for df in meta.fields])


def is_staff(user: str) -> bool:
	"""A System User: the clinic's own people, whom Frappe's permissions govern on a web form too."""
	return frappe.db.get_value("User", user, "user_type", cache=True) == "System User"


def before_insert(doc: Any, method: str | None = None) -> None:
	"""doc_events "*": a portal login's web form submission of a requested form is bound to its request.

	Refused (nothing created) when the request was already sent or withdrawn, or when a portal login
	submits a patient-linked form (requested or not: Marley's appointment form, say) without opening a
	request for it from the portal's Forms page. Any other website user, and a guest, holds no grant:
	they send a patient-linked form only with its patient left empty. Staff keep Frappe's permissions.
	"""
	if not frappe.flags.in_web_form or in_app_action() or doc.doctype != submitted_doctype():
		return  # only the web form's own document: not what the app writes while it is sent
	field = doc_patient_field(doc.doctype)
	if not field and doc.doctype not in requested_doctypes():
		return
	user = frappe.session.user
	if not is_portal_login(user):
		if field and doc.get(field) and not is_staff(user):
			frappe.throw(
				_("Only your clinic can choose the patient of this form. Please leave the patient empty."),
				exc=frappe.PermissionError,
			)
		return
	name = frappe.cache.get_value(started_key())
	request_doc = frappe.get_doc(FORM_REQUEST, name, for_update=True) if name else None
	form_doctype = request_doc and frappe.db.get_value("Web Form", request_doc.web_form, "doc_type")
	if request_doc is None or form_doctype != doc.doctype:
		if field:
			frappe.throw(
				_("Please open this form from the Forms page of the patient portal."),
				exc=frappe.PermissionError,
			)
		return
	if not granted(request_doc.patient, user, FORMS_SECTION):
		raise frappe.PermissionError(_("This form is not available to you."))
	problem = check_submission(request_doc.status)
	if problem:
		frappe.throw(_(problem.message), exc=InvalidAccount, title=_("Form not sent"))
	if field:
		doc.set(field, request_doc.patient)
	doc.flags.portal_form_request = request_doc.name


def validate(doc: Any, method: str | None = None) -> None:
	"""doc_events "*": no web form edit (Allow Edit) changes a document's patient, whoever sends it; a
	portal login edits no patient-linked document at all: what it sends is a new document bound to a
	request (before_insert), and nothing in the portal edits one."""
	if not frappe.flags.in_web_form or doc.is_new() or in_app_action():
		return  # the app's own saves during the submission (the request marked Submitted) are not edits
	field = doc_patient_field(doc.doctype) if doc.doctype == submitted_doctype() else None
	if not field:
		return
	if is_portal_login(frappe.session.user):
		raise frappe.PermissionError(_("This form is not available to you."))
	before = doc.get_doc_before_save()
	# The web form sends "" for a field left empty, where the database may hold NULL.
	if before and (before.get(field) or "") != (doc.get(field) or ""):
		raise frappe.PermissionError(
			_("The patient of a sent form cannot be changed. Please ask your clinic to correct it.")
		)


@app_action
def after_insert(doc: Any, method: str | None = None) -> None:
	"""doc_events "*": mark the bound request Submitted, linked to the document, and forget it."""
	name = doc.flags.get("portal_form_request")
	if not name:
		return
	request_doc = frappe.get_doc(FORM_REQUEST, name, for_update=True)
	request_doc.update(
		{
			"status": S.SUBMITTED,
			"submitted_on": now_datetime(),
			"submitted_by": frappe.session.user,
			"reference_doctype": doc.doctype,
			"reference_name": doc.name,
		}
	)
	request_doc.save(ignore_permissions=True)
	log_event(
		EventType.FORM_SUBMITTED,
		None,
		request_doc.patient,
		_("{0}: {1} {2}").format(name, doc.doctype, doc.name),
	)
	# The session keeps the request: sending the form again meets "already sent", not a new document.
