// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

// On the File form: "Share with patient portal" for a file attached to a Patient or one of its
// clinical records (the server decides which), or "Stop sharing" once it is shared.
frappe.ui.form.on("File", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.is_folder || !frm.doc.attached_to_doctype) return;
		if (!frappe.user.has_role(["System Manager", "Portal Onboarding Manager"])) return;
		const api = "portal_onboarding.api.documents.";
		frappe
			.call({ method: api + "file_sharing", type: "GET", args: { file: frm.doc.name } })
			.then((r) => {
				const state = r.message || {};
				if (state.document) {
					frm.set_intro(
						__("Shared with the patient portal as {0}.", [
							`<strong>${frappe.utils.escape_html(state.document.title)}</strong>`,
						]),
						"green",
					);
					frm.add_custom_button(__("Stop sharing with patient portal"), () =>
						frappe.confirm(
							__(
								"Stop sharing this document? The patient portal no longer lists or serves it.",
							),
							() =>
								frappe
									.call({
										method: api + "unshare",
										type: "POST",
										args: { document: state.document.name },
										freeze: true,
									})
									.then(() => frm.reload_doc()),
						),
					);
				} else if (state.shareable) {
					frm.add_custom_button(__("Share with patient portal"), () =>
						frappe.prompt(
							{
								fieldname: "title",
								fieldtype: "Data",
								label: __("Title shown on the portal"),
								reqd: 1,
								default: frm.doc.file_name,
							},
							({ title }) =>
								frappe
									.call({
										method: api + "share",
										type: "POST",
										args: { file: frm.doc.name, title },
										freeze: true,
									})
									.then(() => {
										frappe.show_alert({
											message: __("Shared with the patient portal"),
											indicator: "green",
										});
										frm.reload_doc();
									}),
							__("Share with patient portal"),
							__("Share"),
						),
					);
				}
			});
	},
});
