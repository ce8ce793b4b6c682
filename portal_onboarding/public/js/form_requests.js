// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

// Forms requested through the portal, shared by the Patient and the Patient Portal Account forms: a
// "Request a form" button for portal admins, and on the Patient the list of its requests. Both forms
// load this file, so it defines one global once instead of top-level constants that would clash.
window.portal_forms = window.portal_forms || {
	admins: ["System Manager", "Portal Onboarding Manager"],
	api: "portal_onboarding.api.forms.",
	colours: { Requested: "orange", Submitted: "green", Cancelled: "gray" },

	add_button(frm, patient, group) {
		if (!frappe.user.has_role(portal_forms.admins)) return;
		frm.add_custom_button(
			__("Request a form"),
			() => portal_forms.request(frm, patient),
			group
		);
	},

	request(frm, patient) {
		frappe
			.call({ method: portal_forms.api + "requestable_forms", type: "GET" })
			.then((r) => portal_forms.request_dialog(frm, patient, r.message || []));
	},

	request_dialog(frm, patient, forms) {
		if (!forms.length) {
			frappe.msgprint(
				__("No web form can be requested yet: publish one that requires login first.")
			);
			return;
		}
		const dialog = new frappe.ui.Dialog({
			title: __("Request a form through the portal"),
			fields: [
				{
					fieldname: "web_form",
					fieldtype: "Select",
					label: __("Web Form"),
					reqd: 1,
					options: forms.map((form) => ({
						value: form.name,
						label: form.title || form.name,
					})),
				},
				{ fieldname: "due_date", fieldtype: "Date", label: __("Due Date") },
			],
			primary_action_label: __("Request"),
			primary_action: (values) => {
				frappe
					.call({
						method: portal_forms.api + "request_form",
						type: "POST",
						args: { patient, ...values },
						freeze: true,
					})
					.then(() => {
						dialog.hide();
						frappe.show_alert({ message: __("Form requested"), indicator: "green" });
						frm.reload_doc();
					});
			},
		});
		dialog.show();
	},

	cancel(frm, request) {
		frappe.prompt(
			{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
			({ reason }) =>
				frappe
					.call({
						method: portal_forms.api + "cancel_request",
						type: "POST",
						args: { request, reason },
					})
					.then(() => frm.reload_doc()),
			__("Cancel form request"),
			__("Cancel request")
		);
	},

	show(frm) {
		if (!frappe.model.can_read("Patient Portal Form Request")) return;
		frappe
			.call({
				method: portal_forms.api + "patient_requests",
				type: "GET",
				args: { patient: frm.doc.name },
			})
			.then((r) => {
				const rows = r.message || [];
				// Shown in the section with the portal status (Marley keeps the form dashboard in a tab of
				// its own); a refresh replaces the table rather than stacking a second copy.
				const anchor = frm.fields_dict.portal_status?.$wrapper.closest(".form-section");
				if (!anchor?.length) return;
				anchor.find("[data-portal-forms-wrapper]").remove();
				if (!rows.length) return;
				const esc = frappe.utils.escape_html;
				const body = rows
					.map((row) => {
						const sent = row.reference_name
							? `<a href="/app/${frappe.router.slug(
									row.reference_doctype
							  )}/${encodeURIComponent(row.reference_name)}">${esc(
									row.reference_name
							  )}</a>`
							: "";
						const cancel =
							row.status === "Requested" && frappe.user.has_role(portal_forms.admins)
								? `<button class="btn btn-xs btn-default" data-cancel-form="${esc(
										row.name
								  )}">${__("Cancel")}</button>`
								: "";
						return `<tr data-form-request="${esc(row.name)}">
							<td><a href="/app/patient-portal-form-request/${encodeURIComponent(row.name)}">${esc(
							row.form_title || ""
						)}</a></td>
							<td>${row.due_date ? frappe.datetime.str_to_user(row.due_date) : ""}</td>
							<td><span class="indicator-pill ${portal_forms.colours[row.status] || "gray"}">${__(
							row.status
						)}</span></td>
							<td>${sent}</td><td>${cancel}</td></tr>`;
					})
					.join("");
				const section = $(`<div class="section-body" data-portal-forms-wrapper>
					<div class="form-column col-sm-12">
					<label class="control-label">${__("Portal forms")}</label>
					<table class="table table-sm" data-portal-forms>
						<thead><tr><th>${__("Form")}</th><th>${__("Due Date")}</th><th>${__("Status")}</th><th>${__(
					"Submitted Document"
				)}</th><th></th></tr></thead>
						<tbody>${body}</tbody></table></div></div>`).appendTo(anchor);
				section.find("[data-cancel-form]").on("click", (event) => {
					portal_forms.cancel(frm, event.currentTarget.dataset.cancelForm);
				});
			});
	},
};
