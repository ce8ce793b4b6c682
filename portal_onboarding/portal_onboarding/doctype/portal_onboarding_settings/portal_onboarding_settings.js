// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

// What a new account will see, and whatever leaves a feature inert (from setup/upkeep.py, on load).
frappe.ui.form.on("Portal Onboarding Settings", {
	refresh(frm) {
		const upkeep = frm.doc.__onload?.upkeep;
		if (!upkeep) return;
		frm.set_intro(
			__("A new portal account will see: {0}.", [
				upkeep.new_account_sees.map((page) => frappe.utils.escape_html(page)).join(", "),
			]),
			"blue"
		);
		for (const notice of upkeep.notices) {
			frm.dashboard.add_comment(frappe.utils.escape_html(notice), "orange", true);
		}
	},
});
