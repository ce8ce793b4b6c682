import frappe
from frappe import _
from frappe.utils import add_days, getdate, today

from portal_onboarding.constants import RELATIONS
from portal_onboarding.core.age_policy import add_months, default_proxy_end
from portal_onboarding.core.portal import SECTION_ROUTES
from portal_onboarding.portal.context import PEOPLE_ROUTE, own_adult_record, portal_context
from portal_onboarding.representatives import people
from portal_onboarding.settings import proxy_max_months

no_cache = 1
# "Parent" alone is a tree's parent in Frappe's own translations: the relations have their own context.
RELATION_CONTEXT = "Relation to Patient"


def get_context(context: dict) -> dict:
	"""People who can see the patient's own record, and the forms that choose them (adults' own login)."""
	grant = portal_context(context, PEOPLE_ROUTE)
	if not own_adult_record(grant):
		raise frappe.PermissionError(_("This part of the portal is not available to you."))
	context.title = _("People who can see my record")
	context.people = people.people(grant.patient)
	day, months = getdate(today()), proxy_max_months()
	context.earliest_end = add_days(day, 1).isoformat()
	context.latest_end = add_months(day, months).isoformat()
	context.default_end = default_proxy_end(day, months).isoformat()
	context.max_months = months
	context.relations = [(relation, _(relation, context=RELATION_CONTEXT)) for relation in RELATIONS]
	context.section_choices = [(key, _(key)) for key in SECTION_ROUTES]
	return context
