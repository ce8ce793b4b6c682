// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

frappe.ui.form.on("Patient Portal Registration", {
	refresh(frm) {
		if (frm.doc.status !== "Awaiting Review") {
			frm.disable_save();
		}
		if (frm.doc.status === "Awaiting Review") {
			frm.set_intro(
				__(
					"Waiting because: {0}. Link the Patient this person is (or create one), then approve or reject.",
					[__(frm.doc.wait_reason || "Review")]
				),
				"orange"
			);
			frm.add_custom_button(__("Approve and invite"), () => approve(frm), __("Review"));
			frm.add_custom_button(__("Reject"), () => reject(frm), __("Review"));
			if (!frm.doc.patient) {
				frm.add_custom_button(
					__("Create Patient"),
					() => create_patient(frm),
					__("Review")
				);
			}
		} else if (frm.doc.status === "Rejected") {
			frm.set_intro(
				__("Rejected: {0}", [frappe.utils.escape_html(frm.doc.rejection_reason || "")]),
				"red"
			);
		}
	},
});

function call(frm, method, args) {
	return frappe
		.call({
			method: "portal_onboarding.api.registration." + method,
			type: "POST",
			args: { registration: frm.doc.name, ...args },
			freeze: true,
		})
		.then((r) => {
			frm.reload_doc();
			return r.message;
		});
}

function approve(frm) {
	if (frm.is_dirty()) {
		frm.save().then(() => approve(frm));
		return;
	}
	if (!frm.doc.patient) {
		frappe.msgprint(__("Link the request to a Patient (or create one) before approving it."));
		return;
	}
	frappe.confirm(
		__("Invite {0} to the patient portal at {1}?", [
			frappe.utils.escape_html(frm.doc.patient_name || frm.doc.patient),
			frappe.utils.escape_html(frm.doc.email),
		]),
		() =>
			call(frm, "approve").then(() =>
				frappe.show_alert({
					message: __("Approved: the invitation is on its way."),
					indicator: "green",
				})
			)
	);
}

function reject(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Reject sign-up request"),
		fields: [
			{
				fieldname: "reason",
				fieldtype: "Small Text",
				label: __("Reason (sent to the person)"),
				reqd: 1,
			},
		],
		primary_action_label: __("Reject"),
		primary_action: ({ reason }) => {
			dialog.hide();
			call(frm, "reject", { reason });
		},
	});
	dialog.show();
}

function create_patient(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Create Patient from this request"),
		fields: [
			{
				fieldname: "sex",
				fieldtype: "Link",
				options: "Gender",
				label: __("Gender"),
				reqd: 1,
			},
			{
				fieldname: "address_line1",
				fieldtype: "Data",
				label: __("Address Line 1"),
				reqd: 1,
			},
			{ fieldname: "city", fieldtype: "Data", label: __("City"), reqd: 1 },
			{
				fieldname: "country",
				fieldtype: "Link",
				options: "Country",
				label: __("Country"),
				default: frappe.defaults.get_default("country"),
			},
		],
		primary_action_label: __("Create Patient"),
		primary_action: (values) => {
			dialog.hide();
			call(frm, "create_patient", values);
		},
	});
	dialog.show();
}
