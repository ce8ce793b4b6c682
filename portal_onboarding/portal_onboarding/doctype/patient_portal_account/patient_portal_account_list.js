// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

frappe.listview_settings["Patient Portal Account"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colours = frappe.boot.portal_onboarding?.status_colours || {};
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
