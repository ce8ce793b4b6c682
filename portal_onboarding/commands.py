"""Bench commands of the app; Frappe finds `commands` here without a hook."""

import click

import frappe
from frappe import _
from frappe.commands import get_site, pass_context
from frappe.utils import strip_html

from portal_onboarding.core.demo.names import MAX_PATIENTS


@click.command("portal-onboarding-demo")
@click.option(
	"--patients",
	type=click.IntRange(1, MAX_PATIENTS),
	help="Add this many demo patients (numbered on from any already there).",
)
@click.option("--remove", is_flag=True, help="Remove every demo patient and what was made for them.")
@pass_context
def portal_onboarding_demo(context: dict, patients: int | None, remove: bool) -> None:
	"""Seed realistic demo patients in bulk, or remove all of them."""
	# Imported here: bench imports every app's commands module for each of its commands, before a site is
	# chosen; the demo code, and the app's layers under it, load only when this command runs.
	from portal_onboarding import demo_data

	if patients is not None and remove:
		raise click.UsageError(_("Give either --patients N or --remove, not both."))
	if patients is None and not remove:
		raise click.UsageError(_("Give --patients N to add demo patients, or --remove to remove them."))
	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		if remove:
			summary = demo_data.remove(progress=click.echo)
		else:
			summary = demo_data.seed(patients or 0, progress=click.echo)
		counts = ", ".join(f"{doctype}: {rows:,}" for doctype, rows in sorted(summary.rows.items()))
		click.echo(
			(_("Removed in {0} s: {1}") if remove else _("Added in {0} s: {1}")).format(
				f"{summary.seconds:.1f}", counts or _("nothing")
			)
		)
	except frappe.ValidationError as e:
		raise click.ClickException(strip_html(str(e))) from e
	finally:
		frappe.destroy()


commands = [portal_onboarding_demo]
