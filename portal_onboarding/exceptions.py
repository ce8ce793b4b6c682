from collections.abc import Iterable

import frappe
from frappe import _
from frappe.utils import escape_html

from portal_onboarding.core.messages import Reason


class PortalOnboardingError(frappe.ValidationError):
	"""Base class of the app's validation errors."""


class InvalidSettings(PortalOnboardingError):
	pass


class InvalidAccount(PortalOnboardingError):
	pass


class DuplicateSelfAccount(PortalOnboardingError):
	pass


class UsernameTaken(PortalOnboardingError):
	pass


class IllegalStatusTransition(PortalOnboardingError):
	pass


class InvalidInvitation(PortalOnboardingError):
	pass


class ImmutableAuditEvent(frappe.PermissionError):
	pass


def reason_text(reason: Reason) -> str:
	"""A core reason in the user's language, its user-supplied parts escaped for Desk dialogs."""
	return _(reason.message).format(*(escape_html(arg) for arg in reason.args))


def throw_reasons(reasons: Iterable[Reason], exc: type[Exception], title: str | None = None) -> None:
	"""Refuse with every reason at once, so the admin can fix them all in one go."""
	texts = [reason_text(reason) for reason in reasons]
	if not texts:
		return
	frappe.throw("<br>".join(texts), exc=exc, title=title or _("Not Saved"))


class NotEligible(PortalOnboardingError):
	pass


class InvalidDocumentShare(PortalOnboardingError):
	pass
