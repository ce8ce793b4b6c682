// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

// Documents shared with the patient portal, on the Patient form: what is shared, each with an Unshare
// button, and "Share a document" to pick one of the files attached to the patient and its records.
frappe.ui.form.on("Patient", {
	refresh(frm) {
		if (frm.is_new()) return;
		patient_documents.show(frm);
	},
});

const patient_documents = {
	admins: ["System Manager", "Portal Onboarding Manager"],
	api: "portal_onboarding.api.documents.",

	show(frm) {
		if (!frappe.model.can_read("Patient Portal Document")) return;
		frappe
			.call({
				method: patient_documents.api + "patient_documents",
				type: "GET",
				args: { patient: frm.doc.name },
			})
			.then((r) => patient_documents.render(frm, r.message || []));
	},

	render(frm, rows) {
		// Beside the portal status, as the portal forms are; a refresh replaces the area.
		const anchor = frm.fields_dict.portal_status?.$wrapper.closest(".form-section");
		if (!anchor?.length) return;
		anchor.find("[data-portal-documents-wrapper]").remove();
		const esc = frappe.utils.escape_html;
		const admin = frappe.user.has_role(patient_documents.admins);
		const body = rows
			.map((row) => {
				const record = row.reference_name
					? `<a href="/app/${frappe.router.slug(
							row.reference_doctype,
					  )}/${encodeURIComponent(row.reference_name)}">${esc(
							__(row.reference_doctype),
					  )} ${esc(row.reference_name)}</a>`
					: "";
				const unshare = admin
					? `<button class="btn btn-xs btn-default" data-unshare-document="${esc(
							row.name,
					  )}">${__("Unshare")}</button>`
					: "";
				return `<tr data-portal-document="${esc(row.name)}">
					<td><a href="/app/file/${encodeURIComponent(row.file)}">${esc(row.title)}</a></td>
					<td>${record}</td>
					<td>${esc(row.size)}</td>
					<td>${frappe.datetime.str_to_user(row.shared_on)}</td>
					<td>${unshare}</td></tr>`;
			})
			.join("");
		const table = rows.length
			? `<table class="table table-sm" data-portal-documents>
				<thead><tr><th>${__("Title")}</th><th>${__("Attached To")}</th><th>${__("Size")}</th><th>${__(
					"Shared On",
				)}</th><th></th></tr></thead>
				<tbody>${body}</tbody></table>`
			: `<p class="text-muted small" data-portal-documents-empty>${__(
					"Nothing is shared with the patient portal yet.",
			  )}</p>`;
		const share = admin
			? `<button class="btn btn-xs btn-default" data-share-document>${__(
					"Share a document",
			  )}</button>`
			: "";
		const area = $(`<div class="section-body" data-portal-documents-wrapper>
			<div class="form-column col-sm-12">
			<div class="d-flex justify-content-between align-items-center mb-2">
				<label class="control-label mb-0">${__("Portal documents")}</label>${share}
			</div>
			${table}</div></div>`).appendTo(anchor);
		area.find("[data-share-document]").on("click", () => patient_documents.pick(frm));
		area.find("[data-unshare-document]").on("click", (event) =>
			patient_documents.unshare(frm, event.currentTarget.dataset.unshareDocument),
		);
	},

	pick(frm) {
		frappe
			.call({
				method: patient_documents.api + "shareable_files",
				type: "GET",
				args: { patient: frm.doc.name },
			})
			.then((r) => patient_documents.share_dialog(frm, r.message || []));
	},

	share_dialog(frm, files) {
		const open = files.filter((file) => !file.shared_as);
		if (!open.length) {
			frappe.msgprint(
				files.length
					? __("Every file attached to this patient is already shared.")
					: __(
							"No file is attached to this patient or to their clinical records yet. Attach one to the Patient or a record first, then share it.",
					  ),
			);
			return;
		}
		const label = (file) =>
			`${file.file_name} (${__(file.attached_to_doctype)} ${file.attached_to_name}, ${
				file.size
			})`;
		const dialog = new frappe.ui.Dialog({
			title: __("Share a document with the patient portal"),
			fields: [
				{
					fieldname: "file",
					fieldtype: "Select",
					label: __("File"),
					reqd: 1,
					// Select options are set as HTML: escape what staff named the files.
					options: open.map((file) => ({
						value: file.name,
						label: frappe.utils.escape_html(label(file)),
					})),
					default: open[0].name,
					change() {
						const file = open.find((f) => f.name === dialog.get_value("file"));
						if (file) dialog.set_value("title", file.file_name);
					},
				},
				{
					fieldname: "title",
					fieldtype: "Data",
					label: __("Title shown on the portal"),
					reqd: 1,
					default: open[0].file_name,
				},
				{
					fieldname: "note",
					fieldtype: "HTML",
					options: `<p class="text-muted small">${__(
						"The patient, and anyone acting for them with the Documents section, can download it from the portal.",
					)}</p>`,
				},
			],
			primary_action_label: __("Share"),
			primary_action: (values) => {
				frappe
					.call({
						method: patient_documents.api + "share",
						type: "POST",
						args: values,
						freeze: true,
					})
					.then(() => {
						dialog.hide();
						frappe.show_alert({
							message: __("Shared with the patient portal"),
							indicator: "green",
						});
						patient_documents.show(frm);
					});
			},
		});
		dialog.show();
	},

	unshare(frm, document) {
		frappe.confirm(
			__("Stop sharing this document? The patient portal no longer lists or serves it."),
			() =>
				frappe
					.call({
						method: patient_documents.api + "unshare",
						type: "POST",
						args: { document },
						freeze: true,
					})
					.then(() => {
						frappe.show_alert({
							message: __("Document unshared"),
							indicator: "orange",
						});
						patient_documents.show(frm);
					}),
		);
	},
};
