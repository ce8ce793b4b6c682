// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

// The admin's view of one grant. The actions offered are the ones the server says the status allows
// (`__onload.actions`, from core/account_actions.py); each is a POST to portal_onboarding.api.account.
const PORTAL_ADMINS = ["System Manager", "Portal Onboarding Manager"];
const ACCOUNT_API = "portal_onboarding.api.account.";

frappe.ui.form.on("Patient Portal Account", {
	refresh(frm) {
		render_audit_trail(frm);
		if (frm.is_new()) return;
		const colours = frappe.boot.portal_onboarding?.status_colours || {};
		frm.page.set_indicator(__(frm.doc.status), colours[frm.doc.status] || "gray");
		if (!frappe.user.has_role(PORTAL_ADMINS)) return;
		// "Manage", not "Actions": Frappe's form has an Actions menu of its own.
		for (const action of frm.doc.__onload?.actions || []) {
			const { label, run } = ACTIONS[action] || {};
			if (run) frm.add_custom_button(label, () => run(frm), __("Manage"));
		}
		portal_forms.add_button(frm, frm.doc.patient, __("Manage"));
		if (frm.doc.access_type === "Self") {
			frm.add_custom_button(__("Load from patient"), () =>
				call(frm, "load_from_patient").then(() =>
					frappe.show_alert({
						message: __("Loaded from the patient"),
						indicator: "green",
					})
				)
			);
		}
		frm.add_custom_button(__("Change permitted sections"), () => change_sections(frm));
		frm.add_custom_button(__("Delete account"), () => delete_account(frm));
		if (frm.doc.access_type === "Authorized Representative" && !frm.doc.adult_proxy) {
			add_representation_buttons(frm);
		}
		// Sent here by the Patient form to give credentials in person.
		if (frappe.flags.portal_set_credentials === frm.doc.name) {
			frappe.flags.portal_set_credentials = null;
			const actions = frm.doc.__onload?.actions || [];
			if (actions.includes("set_credentials")) set_credentials(frm);
		}
	},
});

function call(frm, method, args = {}) {
	return frappe
		.call({
			method: ACCOUNT_API + method,
			type: "POST",
			args: { account: frm.doc.name, ...args },
			freeze: true,
		})
		.then((r) => {
			frm.reload_doc();
			return r.message;
		});
}

function confirm_then(frm, message, method) {
	frappe.confirm(message, () => call(frm, method));
}

const ACTIONS = {
	resend_invitation: { label: __("Resend invitation"), run: resend_invitation },
	suspend: {
		label: __("Suspend"),
		run: (frm) =>
			frappe.prompt(
				[{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 }],
				(values) => call(frm, "suspend", { reason: values.reason }),
				__("Suspend portal account"),
				__("Suspend")
			),
	},
	reactivate: {
		label: __("Reactivate"),
		run: (frm) =>
			confirm_then(
				frm,
				__("Reactivate this portal account? Its login works again."),
				"reactivate"
			),
	},
	send_password_reset: {
		label: __("Send password reset"),
		run: (frm) =>
			frappe.confirm(
				__("Email {0} a link to choose a new password?", [
					frappe.utils.escape_html(frm.doc.contact_email || ""),
				]),
				() =>
					call(frm, "send_password_reset").then(() =>
						frappe.show_alert({
							message: __("Password reset link sent"),
							indicator: "green",
						})
					)
			),
	},
	set_credentials: { label: __("Set credentials"), run: set_credentials },
	remove_login: {
		label: __("Remove login"),
		run: (frm) =>
			confirm_then(
				frm,
				__(
					"Remove this login? The person can no longer sign in; the account and its history stay and can be invited again."
				),
				"remove_login"
			),
	},
	mark_pending_delete: {
		label: __("Mark for deletion"),
		run: (frm) =>
			confirm_then(
				frm,
				__(
					"Mark this account for deletion? The login is removed now, and the account's personal details are deleted after the number of days set in Portal Onboarding Settings. The audit trail is kept."
				),
				"mark_pending_delete"
			),
	},
	cancel_pending_delete: {
		label: __("Cancel deletion"),
		run: (frm) =>
			confirm_then(
				frm,
				__("Keep this account? It goes back to Enabled and can be invited again."),
				"cancel_pending_delete"
			),
	},
};

// The same path as the Patient form's invitation (manager role, audited as Invitation Resent): the
// earlier link is revoked and a new one mailed. A representative is found by the details on this form.
function resend_invitation(frm) {
	const doc = frm.doc;
	const args = { patient: doc.patient };
	if (doc.access_type !== "Self") {
		args.representative = JSON.stringify({
			first_name: doc.first_name,
			last_name: doc.last_name,
			email: doc.contact_email,
			mobile: doc.contact_mobile,
			relation: doc.relation,
		});
	}
	frappe.confirm(
		__("Send {0} a new invitation? The link they were sent before stops working.", [
			frappe.utils.escape_html(doc.contact_email || ""),
		]),
		() =>
			frappe
				.call({
					method: "portal_onboarding.api.invitation.invite",
					type: "POST",
					args,
					freeze: true,
				})
				.then((r) => {
					frm.reload_doc();
					if (r.message?.already_active) {
						// Activated since the form was opened: its reset is offered instead.
						offer_reset(frm, r.message);
					} else {
						frappe.show_alert({
							message: __("Invitation queued"),
							indicator: "green",
						});
					}
				})
	);
}

function offer_reset(frm, answer) {
	if (answer.action !== "send_password_reset") {
		frappe.msgprint(answer.message);
		return;
	}
	frappe.confirm(answer.message, () =>
		call(frm, "send_password_reset", { account: answer.account }).then(() =>
			frappe.show_alert({ message: __("Password reset link sent"), indicator: "green" })
		)
	);
}

function set_credentials(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Set credentials"),
		fields: [
			{
				fieldname: "username",
				fieldtype: "Data",
				label: __("Username"),
				default: frm.doc.username,
				description: __("Leave as is or type a new one."),
			},
			{ fieldname: "username_status", fieldtype: "HTML" },
			{
				fieldname: "password",
				fieldtype: "Password",
				label: __("Password"),
				description: __("Leave empty to generate a strong temporary password."),
			},
		],
		primary_action_label: __("Set credentials"),
		primary_action(values) {
			const args = { username: values.username };
			if (values.password) args.password = values.password;
			call(frm, "set_credentials", args).then((credentials) => {
				dialog.hide();
				show_credentials(credentials, frm.doc.__onload?.sign_in || {});
			});
		},
	});
	// Keep the browser from filling in the admin's own saved login, and drop the typed password with
	// the dialog.
	const username = dialog.get_field("username").$input;
	username.attr("autocomplete", "off");
	dialog.get_field("password").$input.attr("autocomplete", "new-password");
	const check = frappe.utils.debounce(() => check_username(frm, dialog), 300);
	username.on("input", check);
	dialog.onhide = () => dialog.$wrapper.remove();
	dialog.show();
	check_username(frm, dialog);
}

// Says whether the username typed is free and valid, in colour, as Set credentials would judge it.
function check_username(frm, dialog) {
	const asked = (dialog.username_checks = (dialog.username_checks || 0) + 1);
	frappe
		.call({
			method: ACCOUNT_API + "check_username",
			type: "POST",
			args: { account: frm.doc.name, username: dialog.get_field("username").$input.val() },
		})
		.then((r) => {
			if (asked !== dialog.username_checks) return; // typed on since this was asked
			const { ok, message } = r.message;
			const colour = ok ? "text-success" : "text-danger";
			const text = frappe.utils.escape_html(message);
			dialog
				.get_field("username_status")
				.$wrapper.html(
					`<p class="small ${colour}" data-username-status="${ok}">${text}</p>`
				);
		});
}

// The generated password exists only in this dialog (and the sheet printed from it): never stored,
// logged or kept on the form. The portal address is the clinic's configured one, from the server.
function show_credentials(credentials, sign_in) {
	const escape = frappe.utils.escape_html;
	const portal = sign_in.clinic_name
		? __("{0} patient portal", [sign_in.clinic_name])
		: __("Patient portal");
	const values = { ...credentials, portal_url: sign_in.portal_url };
	const labels = [
		[portal, "portal_url"],
		[__("Username"), "username"],
		[__("Password"), "password"],
	].filter(([, key]) => values[key]);
	const note = __(
		"Give these to the person now: the password is shown only once, and they must choose a new one when they first sign in."
	);
	const line = ([label, key]) => {
		const value = escape(values[key]);
		return `<p>${escape(
			label
		)}: <code class="user-select-all" data-credential="${key}">${value}</code></p>`;
	};
	const lines = labels.map(line).join("");
	const dialog = new frappe.ui.Dialog({
		title: __("Credentials for {0}", [escape(credentials.username)]),
		fields: [
			{
				fieldname: "credentials",
				fieldtype: "HTML",
				options: `${lines}<p class="text-muted small">${note}</p>`,
			},
		],
		primary_action_label: __("Copy"),
		primary_action() {
			// The address first: whoever reads the copy knows where the username and password go.
			frappe.utils.copy_to_clipboard(
				labels.map(([label, key]) => `${label}: ${values[key]}`).join("\n")
			);
		},
		secondary_action_label: __("Print"),
		secondary_action() {
			print_credentials(lines);
		},
	});
	dialog.onhide = () => dialog.$wrapper.remove();
	dialog.show();
}

// A sheet of its own to print and hand over; it closes once printed.
function print_credentials(html) {
	const sheet = window.open("", "_blank");
	if (!sheet) {
		frappe.msgprint(__("Allow pop-ups for this site to print the credentials."));
		return;
	}
	sheet.document.write(
		`<!doctype html><html><head><meta charset="utf-8"><title>${__(
			"Credentials"
		)}</title></head><body>${html}<p>${__(
			"Sign in at this address. You will choose a new password the first time."
		)}</p></body></html>`
	);
	sheet.document.close();
	sheet.onafterprint = () => sheet.close();
	sheet.focus();
	sheet.print();
}

function render_audit_trail(frm) {
	const field = frm.get_field("audit_trail");
	if (!field) return;
	// One form serves every account: never show another account's trail, not even while loading.
	const account = frm.is_new() ? "" : frm.doc.name;
	if (field.$wrapper.attr("data-account") !== account) {
		field.$wrapper.empty().attr("data-account", account);
	}
	if (!account || !frappe.user.has_role(PORTAL_ADMINS)) return;
	frappe
		.call({
			method: ACCOUNT_API + "audit_trail",
			type: "GET",
			args: { account },
		})
		.then((r) => {
			// The admin may have moved on to another account (or a new one) while this was loading.
			if (field.$wrapper.attr("data-account") !== account) return;
			const escape = (value) => frappe.utils.escape_html(value || "");
			const rows = (r.message || [])
				.map(
					(event) => `<tr>
						<td class="text-nowrap">${escape(frappe.datetime.str_to_user(event.timestamp))}</td>
						<td>${escape(__(event.event_type))}</td>
						<td>${escape(event.actor)}</td>
						<td>${escape(event.details)}</td>
					</tr>`
				)
				.join("");
			const all = `/app/patient-portal-event?account=${encodeURIComponent(account)}`;
			field.$wrapper.html(
				rows
					? `<table class="table table-sm">
						<thead><tr><th>${__("When")}</th><th>${__("Event")}</th><th>${__("By")}</th><th>${__(
							"Details"
					  )}</th></tr></thead>
						<tbody>${rows}</tbody>
					</table>
					<a href="${all}">${__("View all events")}</a>`
					: `<p class="text-muted">${__("No events yet.")}</p>`
			);
		});
}

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
		[
			{
				fieldname: "sections",
				fieldtype: "MultiCheck",
				label: __("Permitted Sections"),
				options,
				columns: 2,
			},
		],
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

// A parent's access follows the patient's age: what the admin records for it (Representatives by Age).
function add_representation_buttons(frm) {
	const group = __("Representation");
	if (frm.doc.guardian_of_adult) {
		frm.add_custom_button(
			__("End guardianship"),
			() =>
				confirm_then(
					frm,
					__(
						"End the legal guardianship? If the patient is an adult, this person's access ends now."
					),
					"end_guardianship"
				),
			group
		);
	} else {
		frm.add_custom_button(
			__("Record legal guardianship"),
			() => record_guardianship(frm),
			group
		);
	}
	if (frm.doc.teen_assent_on) {
		frm.add_custom_button(
			__("Withdraw assent"),
			() =>
				confirm_then(
					frm,
					__(
						"Withdraw the patient's assent? When the clinic asks for it, this person sees only the portal's home page again."
					),
					"withdraw_assent"
				),
			group
		);
	} else {
		frm.add_custom_button(
			__("Record the patient's assent"),
			() =>
				confirm_then(
					frm,
					__(
						"Record that the patient agrees to this person's access to their portal record?"
					),
					"record_assent"
				),
			group
		);
	}
}

function record_guardianship(frm) {
	const ended = frm.doc.status === "Suspended";
	frappe.prompt(
		[
			{
				fieldname: "until",
				fieldtype: "Date",
				label: __("Guardianship ends on"),
				description: __("Leave empty when the court order sets no end date."),
			},
			{
				fieldname: "document",
				fieldtype: "Small Text",
				label: __("Document seen"),
				reqd: 1,
				description: __(
					"What you saw, for example the court order and its date (at most 500 characters)."
				),
			},
		],
		(values) =>
			call(frm, "record_guardianship", values).then(() =>
				ended
					? frappe.msgprint(
							__(
								"Guardianship recorded. Reactivate the account to give this person access again."
							)
					  )
					: frappe.show_alert({
							message: __("Guardianship recorded"),
							indicator: "green",
					  })
			),
		__("Record legal guardianship"),
		__("Record")
	);
}
