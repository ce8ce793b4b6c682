// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

// The Patient quick entry, which the booking screen's "New Patient" opens too: the app's invitation
// toggle in place of Marley's "Invite as User", and, for portal admins, a parent or carer to invite.
// The server checks both (integrations/healthcare/patient.py and carer.py): the fields' permission
// level lets only the portal admin roles write them.
frappe.provide("frappe.ui.form");

(() => {
	const MarleyQuickEntry = frappe.ui.form.PatientQuickEntryForm;
	if (!MarleyQuickEntry) return;
	const ADMIN_ROLES = ["System Manager", "Portal Onboarding Manager"];
	const carer = "eval:doc.portal_carer_access";

	frappe.ui.form.PatientQuickEntryForm = class PortalPatientQuickEntryForm extends MarleyQuickEntry {
		render_dialog() {
			// Marley's "Invite as User" is marked for quick entry: it would come back as a custom field.
			this.mandatory = this.mandatory.filter((f) => f.fieldname !== "invite_user");
			super.render_dialog();
		}

		get_standard_fields() {
			const fields = super.get_standard_fields().filter((f) => f.fieldname !== "invite_user");
			if (!frappe.user.has_role(ADMIN_ROLES)) return fields;
			const relation = frappe.meta.get_docfield("Patient", "portal_carer_relation");
			fields.push(
				{ fieldtype: "Section Break", label: __("Patient Portal"), collapsible: 0 },
				{
					label: __("Send Patient Portal Access via Email/SMS"),
					fieldname: "send_portal_invitation",
					fieldtype: "Check",
				},
				{
					label: __("Give patient portal access to someone other than the patient"),
					fieldname: "portal_carer_access",
					fieldtype: "Check",
				},
				{
					label: __("Carer's First Name"),
					fieldname: "portal_carer_first_name",
					fieldtype: "Data",
					depends_on: carer,
				},
				{
					label: __("Carer's Last Name"),
					fieldname: "portal_carer_last_name",
					fieldtype: "Data",
					depends_on: carer,
				},
				{
					label: __("Carer's Relation to Patient"),
					fieldname: "portal_carer_relation",
					fieldtype: "Select",
					options: relation ? relation.options : "",
					depends_on: carer,
				},
				{ fieldtype: "Column Break" },
				{
					label: __("Carer's Email"),
					fieldname: "portal_carer_email",
					fieldtype: "Data",
					options: "Email",
					depends_on: carer,
				},
				{
					label: __("Carer's Mobile"),
					fieldname: "portal_carer_mobile",
					fieldtype: "Data",
					options: "Phone",
					depends_on: carer,
				}
			);
			return fields;
		}
	};
})();
