# Copyright (c) 2026, portal_onboarding contributors and contributors
# For license information, please see license.txt

"""Every patient's portal status in colour, why they are not on the portal yet, and the funnel."""

from portal_onboarding.reporting.report import columns, report_data


def execute(filters: dict | None = None) -> tuple[list[dict], list[dict], str | None, None, list[dict]]:
	rows, message, summary = report_data(filters or {})
	return columns(), rows, message, None, summary
