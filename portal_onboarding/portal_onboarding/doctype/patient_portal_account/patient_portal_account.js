// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

frappe.ui.form.on("Patient Portal Account", {
	refresh(frm) {
		if (frm.is_new()) return;
		const colours = frappe.boot.portal_onboarding?.status_colours || {};
		frm.page.set_indicator(__(frm.doc.status), colours[frm.doc.status] || "gray");
		if (!frappe.user.has_role(["System Manager", "Portal Onboarding Manager"])) return;
		frm.add_custom_button(__("Change permitted sections"), () => change_sections(frm));
		frm.add_custom_button(__("Delete account"), () => delete_account(frm));
	},
});

function delete_account(frm) {
	frappe.confirm(
		__(
			"Delete this portal account? Its links stop working, and its login is disabled if it reaches no other patient. The audit trail is kept."
		),
		() =>
			frappe
				.call({
					method: "portal_onboarding.api.account.delete_account",
					type: "POST",
					args: { account: frm.doc.name },
					freeze: true,
				})
				.then(() => frappe.set_route("List", "Patient Portal Account"))
	);
}

function change_sections(frm) {
	const current = (frm.doc.permitted_sections || []).map((row) => row.portal_section);
	const options = frappe.meta
		.get_docfield("Patient Portal Section", "portal_section")
		.options.split("\n")
		.filter(Boolean)
		.map((value) => ({ label: __(value), value, checked: current.includes(value) }));
	frappe.prompt(
		[{ fieldname: "sections", fieldtype: "MultiCheck", label: __("Permitted Sections"), options, columns: 2 }],
		(values) =>
			frappe
				.call({
					method: "portal_onboarding.api.account.set_permitted_sections",
					type: "POST",
					args: { account: frm.doc.name, sections: values.sections },
					freeze: true,
				})
				.then(() => frm.reload_doc()),
		__("Change permitted sections"),
		__("Save")
	);
}
