from frappe import _

from portal_onboarding.core.medical_records import RecordType
from portal_onboarding.portal import medical_records
from portal_onboarding.portal.context import portal_context
from portal_onboarding.settings import medical_record_types

no_cache = 1


def get_context(context: dict) -> dict:
	grant = portal_context(context, "/portal/medical-records", "Medical Records")
	context.title = _("Medical records")
	context.released = medical_record_types()
	context.type_labels = type_labels()
	context.released_labels = [context.type_labels[kind] for kind in context.released]
	context.records = medical_records.summary(grant.patient, context.released)
	return context


def type_labels() -> dict[str, str]:
	"""The heading each record type has on the page."""
	return {
		RecordType.VITAL_SIGNS: _("Vital signs"),
		RecordType.DIAGNOSES: _("Diagnoses"),
		RecordType.MEDICATIONS: _("Medications"),
		RecordType.CLINICAL_PROCEDURES: _("Procedures"),
		RecordType.ALLERGIES: _("Allergies"),
		RecordType.MEDICAL_HISTORY: _("Medical and surgical history"),
	}
