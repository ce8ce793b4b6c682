"""Rules of forms requested through the portal: what may be requested, sent, cancelled, and where
a submitted document names its patient."""

from dataclasses import dataclass
from datetime import date

from portal_onboarding.constants import FormRequestStatus
from portal_onboarding.core.messages import Reason, _

FORMS_SECTION = "Forms"
MAX_CANCEL_REASON = 500


@dataclass(frozen=True)
class RequestFacts:
	"""What the Frappe side found about a request an admin is about to make."""

	due_date: date | None
	today: date
	web_form_exists: bool
	published: bool
	login_required: bool
	already_requested: bool
	# Active, Invited or Enabled accounts on the patient, and how many of them permit the Forms section.
	accounts: int
	accounts_with_forms: int


def check_request(facts: RequestFacts) -> list[Reason]:
	"""Every reason the form cannot be requested; empty when it can."""
	reasons: list[Reason] = []
	if not facts.web_form_exists:
		reasons.append(Reason("web_form_missing", _("Pick the web form to request.")))
	elif not facts.published or not facts.login_required:
		reasons.append(
			Reason(
				"web_form_not_usable",
				_("The web form must be published and require login before it can be requested."),
			)
		)
	if facts.due_date is not None and facts.due_date < facts.today:
		reasons.append(Reason("due_date_past", _("The due date cannot be in the past.")))
	if facts.already_requested:
		reasons.append(
			Reason(
				"already_requested", _("This form is already requested from the patient and not sent yet.")
			)
		)
	if not facts.accounts:
		reasons.append(
			Reason(
				"no_account",
				_(
					"The patient has no portal account to see the request. "
					"Enable portal access and invite the patient (or a representative) first."
				),
			)
		)
	elif not facts.accounts_with_forms:
		reasons.append(
			Reason(
				"no_forms_section",
				_(
					"None of the patient's portal accounts permits the Forms section. "
					"Add it with Change permitted sections on the account first."
				),
			)
		)
	return reasons


def check_submission(status: str | None) -> Reason | None:
	"""Why a submission for a request in `status` is refused (nothing is created then), or None."""
	if status == FormRequestStatus.SUBMITTED:
		return Reason("already_submitted", _("You have already sent this form."))
	if status != FormRequestStatus.REQUESTED:
		return Reason("not_requested", _("This form is no longer requested. Please ask your clinic."))
	return None


def check_cancel(status: str, reason: str | None) -> Reason | None:
	"""Why a request in `status` cannot be cancelled with `reason`, or None."""
	if status != FormRequestStatus.REQUESTED:
		return Reason(
			"not_cancellable",
			_("Only a form that is still requested can be cancelled (this one is {0})."),
			(status,),
		)
	text = (reason or "").strip()
	if not text:
		return Reason("reason_missing", _("Please give a reason for cancelling the request."))
	if len(text) > MAX_CANCEL_REASON:
		return Reason(
			"reason_length", _("The reason can be at most {0} characters long."), (str(MAX_CANCEL_REASON),)
		)
	return None


def patient_field(fields: list[tuple[str, str, str | None]]) -> str | None:
	"""The first Link-to-Patient field of a form's doctype, given (fieldname, fieldtype, options)."""
	for fieldname, fieldtype, options in fields:
		if fieldtype == "Link" and options == "Patient":
			return fieldname
	return None


def is_overdue(due_date: date | None, today: date, status: str) -> bool:
	"""A requested form past its due date (a submitted or cancelled one never is)."""
	return status == FormRequestStatus.REQUESTED and due_date is not None and due_date < today
