"""Invitations: sent by admins, accepted by guests holding the link."""

import json

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit

from portal_onboarding import activation, onboarding
from portal_onboarding.api.account import check_admin
from portal_onboarding.constants import Channel
from portal_onboarding.exceptions import InvalidInvitation


@frappe.whitelist(methods=["POST"])
def invite(patient: str, channel: str = Channel.EMAIL, representative: dict | str | None = None) -> dict:
	"""Invite the patient, or a representative given as {first_name, last_name, email, mobile, relation}."""
	check_admin(patient)
	if isinstance(representative, str):
		try:
			representative = json.loads(representative) if representative.strip() else None
		except ValueError:
			representative = "invalid"
	if representative is not None and not isinstance(representative, dict):
		frappe.throw(_("The representative's details could not be read."), exc=InvalidInvitation)
	account, invitation = onboarding.invite(patient, channel=channel, representative=representative)
	return {"account": account.name, "invitation": invitation.name}


def invalid_link() -> dict:
	return activation.Outcome(False, activation.invalid_link_message(), invalid_link=True).as_dict()


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=20, seconds=60 * 60)
def verify_identity(key: str, date_of_birth: str | None = None, home_zip: str | None = None) -> dict:
	"""Check the patient's date of birth and home ZIP code for this link."""
	invitation = activation.find_invitation(key, for_update=True)
	if invitation is None:
		return invalid_link()
	outcome = activation.verify_identity(invitation, date_of_birth, home_zip)
	if outcome.ok:
		account = frappe.get_doc("Patient Portal Account", invitation.account)
		outcome.data = {"username": account.username}
	return outcome.as_dict()


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=60, seconds=60 * 60)
def check_username(key: str, username: str) -> dict:
	"""Whether the holder of this link may take `username`."""
	invitation = activation.find_invitation(key, for_update=True)
	if invitation is None:
		return invalid_link()
	account = frappe.get_doc("Patient Portal Account", invitation.account)
	problem = activation.username_problem(username or "", account)
	return {"ok": problem is None, "available": problem is None, "message": problem or _("Available")}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=10, seconds=60 * 60)
def accept(
	key: str,
	username: str,
	password: str,
	date_of_birth: str | None = None,
	home_zip: str | None = None,
) -> dict:
	"""Activate the account behind this link, log the person in and say where to go."""
	invitation = activation.find_invitation(key, for_update=True)
	if invitation is None:
		return invalid_link()
	if activation.identity_required():
		identity = activation.verify_identity(invitation, date_of_birth, home_zip)
		if not identity.ok:
			return identity.as_dict()
	outcome = activation.activate(invitation, username, password)
	if outcome.ok:
		frappe.local.login_manager.login_as(outcome.data["user"])
		outcome.data = {"redirect_to": "/portal"}
	return outcome.as_dict()
