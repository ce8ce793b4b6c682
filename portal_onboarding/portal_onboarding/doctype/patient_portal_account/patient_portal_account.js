// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

frappe.ui.form.on("Patient Portal Account", {
	refresh(frm) {
		if (frm.is_new()) return;
		const colours = frappe.boot.portal_onboarding?.status_colours || {};
		frm.page.set_indicator(__(frm.doc.status), colours[frm.doc.status] || "gray");
	},
});
