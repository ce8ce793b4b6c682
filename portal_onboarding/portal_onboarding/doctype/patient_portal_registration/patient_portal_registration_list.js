// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

const REGISTRATION_COLOURS = {
	"Pending Verification": "gray",
	"Awaiting Review": "orange",
	Approved: "green",
	Rejected: "red",
	Expired: "darkgrey",
};

frappe.listview_settings["Patient Portal Registration"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		return [
			__(doc.status),
			REGISTRATION_COLOURS[doc.status] || "gray",
			"status,=," + doc.status,
		];
	},
};
