"""The parent or carer typed on the new-patient form: what must be right before the save goes through."""

from dataclasses import dataclass

from portal_onboarding.constants import RELATIONS
from portal_onboarding.core.eligibility import is_valid_email
from portal_onboarding.core.messages import Reason, _

MAX_NAME_LENGTH = 140


@dataclass(frozen=True)
class CarerDetails:
	first_name: str | None
	last_name: str | None
	email: str | None
	mobile: str | None
	relation: str | None

	def as_representative(self) -> dict[str, str]:
		"""What `invitations.sending.invite` takes as its representative."""
		return {
			"first_name": (self.first_name or "").strip(),
			"last_name": (self.last_name or "").strip(),
			"email": (self.email or "").strip().lower(),
			"mobile": (self.mobile or "").strip(),
			"relation": (self.relation or "").strip(),
		}


def check_carer(details: CarerDetails) -> list[Reason]:
	"""Every problem with the carer's details at once, so the front desk fixes them in one go."""
	values = details.as_representative()
	reasons = []
	if not values["first_name"]:
		reasons.append(Reason("carer_first_name", _("The carer's first name is required.")))
	elif len(values["first_name"]) > MAX_NAME_LENGTH or len(values["last_name"]) > MAX_NAME_LENGTH:
		reasons.append(
			Reason(
				"carer_name_length",
				_("The carer's names can be at most {0} characters long."),
				(str(MAX_NAME_LENGTH),),
			)
		)
	if not values["email"]:
		reasons.append(
			Reason("carer_email", _("The carer's email is required: the invitation is sent there."))
		)
	elif not is_valid_email(values["email"]):
		reasons.append(
			Reason("carer_email_invalid", _("The carer's email {0} is not valid."), (values["email"],))
		)
	if values["relation"] not in RELATIONS:
		reasons.append(
			Reason(
				"carer_relation",
				_("The carer's relation to the patient must be one of: {0}."),
				(", ".join(RELATIONS),),
			)
		)
	if values["mobile"] and sum(c.isdigit() for c in values["mobile"]) < 6:
		reasons.append(
			Reason("carer_mobile", _("The carer's mobile number {0} is not valid."), (values["mobile"],))
		)
	return reasons
