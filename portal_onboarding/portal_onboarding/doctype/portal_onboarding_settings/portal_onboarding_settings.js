// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

// What a new account will see, and whatever leaves a feature inert (from setup/upkeep.py, on load).
// Frappe's form has one headline: the notices and the summary share it.
frappe.ui.form.on("Portal Onboarding Settings", {
	refresh(frm) {
		const upkeep = frm.doc.__onload?.upkeep;
		if (!upkeep) return;
		const escape = frappe.utils.escape_html;
		const sees = __("A new portal account will see: {0}.", [
			upkeep.new_account_sees.map(escape).join(", "),
		]);
		const notices = upkeep.notices.map((notice) => `<li>${escape(notice)}</li>`).join("");
		frm.dashboard.set_headline_alert(
			`<p class="po-new-account-sees">${sees}</p>` +
				(notices ? `<ul class="po-settings-notices">${notices}</ul>` : ""),
			notices ? "orange" : "blue"
		);
	},
});
