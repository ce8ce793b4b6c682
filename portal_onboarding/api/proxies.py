"""The People page's actions: a patient's own login, the patient an adult, invites a proxy, changes what a
proxy sees and until when, or stops a proxy's access. Each resolves the patient through the caller's
own grant (never a name from the request) and refuses any other account with the one answer."""

import json
from collections.abc import Callable

import frappe
from frappe import _

from portal_onboarding.representatives import proxies
from portal_onboarding.security.ratelimit import count
from portal_onboarding.security.same_site import refuse_cross_site

# Each invitation mails a stranger: a person invites a few, a script hundreds.
INVITES_PER_DAY = 20
CHANGES_PER_HOUR = 60
DAY_SECONDS = 24 * 60 * 60


def guard(endpoint: str, limit: int, seconds: int = 60 * 60) -> None:
	"""Another site's page never acts for the patient; only a login on its own adult record is heard
	(the service resolves the record again), and each login has its budget per endpoint."""
	refuse_cross_site()
	proxies.own_patient()
	count(f"proxies_{endpoint}:{frappe.session.user}", limit, seconds)


def section_list(sections: str | list[str] | None) -> list[str]:
	"""The checked sections, as a list or as the JSON list `frappe.call` sends."""
	if isinstance(sections, str):
		try:
			sections = json.loads(sections) if sections.strip() else []
		except ValueError:
			sections = None
	if not isinstance(sections, list) or not all(isinstance(s, str) for s in sections):
		raise proxies.ProxyRefused(_("Please choose at least one part of your record."), "sections")
	return sections


def answer(action: Callable[[], dict]) -> dict:
	"""The action's result, or the patient's refusal with the field it is about (nothing was written)."""
	try:
		return {"ok": True, **action()}
	except proxies.ProxyRefused as refused:
		return {"ok": False, "message": refused.message, "field": refused.field}


@frappe.whitelist(methods=["POST"])
def invite(
	first_name: str | None = None,
	last_name: str | None = None,
	email: str | None = None,
	relation: str | None = None,
	sections: str | list[str] | None = None,
	end_date: str | None = None,
) -> dict:
	"""Invite a person to see parts of the caller's own record; the answer carries the code to give them."""
	guard("invite", INVITES_PER_DAY, DAY_SECONDS)
	return answer(
		lambda: proxies.invite_proxy(first_name, last_name, email, relation, section_list(sections), end_date)
	)


@frappe.whitelist(methods=["POST"])
def change(
	account: str | None = None, sections: str | list[str] | None = None, end_date: str | None = None
) -> dict:
	"""Change what one of the caller's proxies sees, and until when (a later date renews)."""
	guard("change", CHANGES_PER_HOUR)
	return answer(lambda: proxies.change_proxy(account, section_list(sections), end_date))


@frappe.whitelist(methods=["POST"])
def revoke(account: str | None = None) -> dict:
	"""Stop one of the caller's proxies seeing the record."""
	guard("revoke", CHANGES_PER_HOUR)
	return answer(lambda: proxies.revoke_proxy(account))
