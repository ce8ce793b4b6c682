"""What goes into a mail's HTML is escaped where it is inserted, whatever the template says.

A clinic may edit the shipped templates (and an upgrade keeps its copy), so escaping cannot be left to
a template's `|e`. Values become `Markup`, which `|e` leaves as it is: a template that escapes too
(the shipped ones once did) never shows `&amp;amp;`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from markupsafe import escape

import frappe
from frappe import _


def escaped(context: dict[str, Any]) -> dict[str, Any]:
	"""The context with every text value HTML-escaped; flags and numbers as they are."""
	return {key: escape(value) if isinstance(value, str) else value for key, value in context.items()}


def render(template: str, context: dict[str, Any]) -> str:
	"""Render one of the app's mail templates (a path) with its values escaped."""
	return frappe.render_template(template, escaped(context))


def render_email_template(name: str, context: dict[str, Any]) -> dict[str, str]:
	"""Subject and HTML body of an Email Template: the body with escaped values, the subject (plain
	text, never HTML) with the values as typed."""
	template = frappe.get_doc("Email Template", name)
	subject = frappe.render_template(template.subject, context)
	return {
		"subject": " ".join(subject.split()),
		"message": frappe.render_template(template.response_, escaped(context)),
	}


def send(recipients: list[str], subject: str, message: str, doctype: str, name: str) -> None:
	"""Queue one of the app's mails: to people, not a mailing list (no unsubscribe link), kept with the
	record it is about, and retried when the mail server fails."""
	frappe.sendmail(
		recipients=recipients,
		subject=subject,
		message=message,
		reference_doctype=doctype,
		reference_name=name,
		add_unsubscribe_link=0,
		retry=3,
	)


def clinic_name() -> str:
	return (
		frappe.db.get_single_value("Website Settings", "app_name")
		or frappe.defaults.get_global_default("company")
		or _("your clinic")
	)


@contextmanager
def in_language(language: str | None) -> Iterator[None]:
	"""Translate what is rendered inside the block into `language` (the site's when None)."""
	previous = frappe.local.lang
	frappe.local.lang = language or previous
	try:
		yield
	finally:
		frappe.local.lang = previous
