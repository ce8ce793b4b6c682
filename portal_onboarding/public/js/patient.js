// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

frappe.ui.form.on("Patient", {
	refresh(frm) {
		if (frm.is_new()) return;
		portal_onboarding.show_status(frm);
		portal_forms.show(frm);
		if (!frappe.user.has_role(["System Manager", "Portal Onboarding Manager"])) return;

		const group = __("Portal");
		const enabled = frm.doc.portal_access === "Patient Can Access Portal";
		if (enabled) {
			frm.add_custom_button(
				__("Disable portal access"),
				() => portal_onboarding.disable(frm),
				group
			);
			if (!frm.doc.email) {
				frm.add_custom_button(
					__("Give credentials in person"),
					() => portal_onboarding.give_credentials(frm),
					group
				);
			}
		} else {
			frm.add_custom_button(
				__("Enable portal access"),
				() => portal_onboarding.enable(frm),
				group
			);
		}
		const invited = ["Invited", "Invite Expired", "Invite Failed"].includes(
			frm.doc.portal_status
		);
		frm.add_custom_button(
			invited ? __("Resend invitation") : __("Send invitation"),
			() => portal_onboarding.invite(frm),
			group
		);
		frm.add_custom_button(
			__("Invite a representative"),
			() => portal_onboarding.invite_representative(frm),
			group
		);
		portal_forms.add_button(frm, frm.doc.name, group);
	},
});

const portal_onboarding = {
	show_status(frm) {
		const status = frm.doc.portal_status || "Not Enabled";
		const colour = frappe.boot.portal_onboarding?.status_colours?.[status] || "gray";
		const field = frm.fields_dict.portal_status;
		if (field) {
			field.$wrapper
				.find(".control-value")
				.html(
					`<span class="indicator-pill ${colour}" data-portal-status><span>${__(
						"Portal: {0}",
						[__(status)]
					)}</span></span>`
				);
		}
		if (frm.doc.portal_status_reason) {
			frm.set_intro(frappe.utils.escape_html(frm.doc.portal_status_reason), "orange");
		}
	},

	call(frm, method, args = {}) {
		return frappe
			.call({
				method: "portal_onboarding.api." + method,
				type: "POST",
				args: { patient: frm.doc.name, ...args },
				freeze: true,
			})
			.then((r) => {
				frm.reload_doc();
				return r.message;
			});
	},

	// Without an email nothing can be mailed: the admin confirms that the login is handed over in
	// person.
	enable(frm) {
		if (frm.doc.email) return portal_onboarding.call(frm, "account.enable");
		frappe.confirm(
			__(
				"This patient has no email address, so no invitation can be mailed. Enable portal access and give them a username and password in person?"
			),
			() => portal_onboarding.give_credentials(frm)
		);
	},

	// Enabled for credentials given in person (the patient's own account made if missing), then on to
	// that account's form, which opens its Set credentials dialog for the account in this flag.
	give_credentials(frm) {
		portal_onboarding.call(frm, "account.enable", { in_person: 1 }).then((result) => {
			frappe.flags.portal_set_credentials = result.account;
			frappe.set_route("Form", "Patient Portal Account", result.account);
		});
	},

	disable(frm) {
		frappe.confirm(
			__(
				"Disable portal access for this patient and everyone acting for them? Their sessions end now."
			),
			() => portal_onboarding.call(frm, "account.disable")
		);
	},

	channel_field() {
		return {
			fieldname: "channel",
			fieldtype: "Select",
			label: __("Send by"),
			options: [
				{ value: "Email", label: __("Email") },
				{ value: "Both", label: __("Email and SMS notice") },
				{ value: "SMS", label: __("SMS notice only (for an invitation already emailed)") },
			],
			default: "Email",
			reqd: 1,
		};
	},

	invite(frm) {
		const dialog = new frappe.ui.Dialog({
			title: __("Send portal invitation"),
			fields: [portal_onboarding.channel_field()],
			primary_action_label: __("Send"),
			primary_action(values) {
				dialog.hide();
				portal_onboarding
					.call(frm, "invitation.invite", values)
					.then((answer) => portal_onboarding.invited(answer));
			},
		});
		dialog.show();
	},

	invite_representative(frm) {
		const dialog = new frappe.ui.Dialog({
			title: __("Invite a representative"),
			fields: [
				{ fieldname: "first_name", fieldtype: "Data", label: __("First Name"), reqd: 1 },
				{ fieldname: "last_name", fieldtype: "Data", label: __("Last Name") },
				{
					fieldname: "email",
					fieldtype: "Data",
					options: "Email",
					label: __("Email"),
					reqd: 1,
				},
				{ fieldname: "mobile", fieldtype: "Data", options: "Phone", label: __("Mobile") },
				{
					fieldname: "relation",
					fieldtype: "Select",
					label: __("Relation to Patient"),
					options: [
						"Parent",
						"Legal Guardian",
						"Carer",
						"Spouse or Partner",
						"Child",
						"Other",
					],
					reqd: 1,
				},
				portal_onboarding.channel_field(),
			],
			primary_action_label: __("Send"),
			primary_action(values) {
				const { channel, ...representative } = values;
				dialog.hide();
				portal_onboarding
					.call(frm, "invitation.invite", {
						channel,
						representative: JSON.stringify(representative),
					})
					.then((answer) => portal_onboarding.invited(answer));
			},
		});
		dialog.show();
	},

	// An account that is Active already gets no invitation: the answer offers its password reset, the
	// portal account's own "Send password reset", instead.
	invited(answer) {
		if (!answer?.already_active) {
			frappe.show_alert({ message: __("Invitation queued"), indicator: "green" });
		} else if (answer.action === "send_password_reset") {
			frappe.confirm(answer.message, () =>
				frappe
					.call({
						method: "portal_onboarding.api.account.send_password_reset",
						type: "POST",
						args: { account: answer.account },
						freeze: true,
					})
					.then(() =>
						frappe.show_alert({
							message: __("Password reset link sent"),
							indicator: "green",
						})
					)
			);
		} else {
			frappe.msgprint(answer.message);
		}
	},
};
