"""Invitations: sent by admins, accepted by guests holding the link."""

import json
from typing import Any

import frappe
from frappe import _
from frappe.utils import cint, escape_html

from portal_onboarding.api.account import check_admin
from portal_onboarding.constants import ACCOUNT, Channel
from portal_onboarding.core.account_actions import Action, check_action
from portal_onboarding.exceptions import InvalidInvitation
from portal_onboarding.invitations import activation, sending
from portal_onboarding.primitives import logins
from portal_onboarding.security.ratelimit import limit_guest


@frappe.whitelist(methods=["POST"])
def invite(patient: str, channel: str = Channel.EMAIL, representative: dict | str | None = None) -> dict:
	"""Invite the patient, or a representative given as {first_name, last_name, email, mobile, relation}.

	An account that is Active already gets no invitation: the answer says so and offers its password
	reset (`portal_onboarding.api.account.send_password_reset`) for the admin to choose.
	"""
	check_admin(patient)
	if isinstance(representative, str):
		try:
			representative = json.loads(representative) if representative.strip() else None
		except ValueError:
			representative = "invalid"
	if representative is not None and not isinstance(representative, dict):
		frappe.throw(_("The representative's details could not be read."), exc=InvalidInvitation)
	active = sending.active_account(patient, representative)
	if active is not None:
		return already_active(active)
	account, invitation = sending.invite(patient, channel=channel, representative=representative)
	return {"account": account.name, "invitation": invitation.name}


def already_active(account: Any) -> dict:
	"""The answer for an Active account: nothing sent, and the reset link offered when one can reach it."""
	name = escape_html(
		" ".join(filter(None, (account.first_name, account.last_name))) or account.username or account.name
	)
	can_reset = bool(account.contact_email) and (
		check_action(Action.SEND_PASSWORD_RESET, account.status, bool(account.user)) is None
	)
	if can_reset:
		message = _(
			"{0} has already activated their portal account. Send a password reset link to {1} instead?"
		).format(frappe.bold(name), frappe.bold(escape_html(account.contact_email)))
	else:
		message = _(
			"{0} has already activated their portal account, and it has no email address for a reset "
			"link. Use Set credentials on the portal account to give them a temporary password."
		).format(frappe.bold(name))
	return {
		"already_active": True,
		"account": account.name,
		"action": Action.SEND_PASSWORD_RESET if can_reset else None,
		"message": message,
	}


def invalid_link() -> dict:
	return activation.Outcome(False, activation.invalid_link_message(), invalid_link=True).as_dict()


# Guest budgets per hour: generous per address (a clinic's Wi-Fi is one address), small per link.
LIMITS = {
	"check_link": (300, 30),
	"verify_identity": (100, 10),
	"check_username": (300, 60),
	"accept": (100, 10),
}


def limit(endpoint: str, key: str | None) -> None:
	per_address, per_link = LIMITS[endpoint]
	limit_guest(endpoint, key, per_address, per_link)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def check_link(key: str) -> dict:
	"""Whether this link still works, and what the page should ask first."""
	limit("check_link", key)
	invitation = activation.find_invitation(key)
	if invitation is None:
		return invalid_link()
	activation.mark_opened(invitation)
	return activation.link_state(invitation)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def verify_identity(
	key: str, date_of_birth: str | None = None, home_zip: str | None = None, code: str | None = None
) -> dict:
	"""Check the patient's date of birth and home ZIP code for this link (a proxy's link: the code the
	patient gave them)."""
	limit("verify_identity", key)
	invitation = activation.find_invitation(key, lock=True)
	if invitation is None:
		return invalid_link()
	outcome = activation.verify_identity(invitation, date_of_birth, home_zip, code)
	if outcome.ok:
		outcome.data = {
			"username": frappe.db.get_value(ACCOUNT, invitation.account, "username"),
			"reverification": bool(invitation.reverification),
		}
	return outcome.as_dict()


@frappe.whitelist(allow_guest=True, methods=["POST"])
def check_username(key: str, username: str) -> dict:
	"""Whether the holder of this link, once past the identity check, may take `username`."""
	limit("check_username", key)
	invitation = activation.find_invitation(key)
	if invitation is None:
		return invalid_link()
	if not activation.identity_confirmed(invitation):
		return {"ok": False, "available": False, "message": activation.confirm_first()}
	if invitation.reverification:
		return {"ok": False, "available": False, "message": logins.not_available()}
	account = frappe.get_doc(ACCOUNT, invitation.account)
	problem = activation.username_problem(username or "", account, invitation)
	return {"ok": problem is None, "available": problem is None, "message": problem or _("Available")}


@frappe.whitelist(allow_guest=True, methods=["POST"])
def accept(
	key: str,
	username: str | None = None,
	password: str | None = None,
	existing_login: int | str | None = None,
) -> dict:
	"""Activate the account behind this link, sign the person in and say where to go.

	With `existing_login`, the username and password are those of a portal login the person already
	holds, and this link's patient is added to it. A re-verification link takes only the login's
	current password.
	"""
	limit("accept", key)
	invitation = activation.find_invitation(key, lock=True)
	if invitation is None:
		return invalid_link()
	if invitation.reverification:
		# Only the login's own password confirms a new address; the link never sets a login up.
		outcome = activation.confirm_address(invitation, password or "")
	elif cint(existing_login):
		outcome = activation.link_existing_login(invitation, username or "", password or "")
	else:
		outcome = activation.activate(invitation, username or "", password or "")
	if outcome.ok:
		if outcome.data.get("sign_in", True):
			frappe.local.login_manager.login_as(outcome.data["user"])
			outcome.data = {"redirect_to": "/portal"}
		else:
			outcome.data = {"redirect_to": "/login?redirect-to=/portal"}
	return outcome.as_dict()
