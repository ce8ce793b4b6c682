// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

// The Patient list answers "who is where": Portal Status is a column coloured from the app's one
// status map (beside Marley's own Active/Disabled status, which stays as it is), and portal admins
// find it in the sidebar's group-by. Marley's list settings, when it has any, are extended.
(() => {
	const FIELD = "portal_status";
	const ADMIN_ROLES = ["System Manager", "Portal Onboarding Manager"];
	const settings = (frappe.listview_settings["Patient"] ||= {});
	if (settings.portal_onboarding) return;
	settings.portal_onboarding = true;

	const marley_onload = settings.onload;
	settings.add_fields = [...new Set([...(settings.add_fields || []), FIELD])];
	settings.formatters = { ...settings.formatters, [FIELD]: portal_status_pill };
	settings.onload = function (listview) {
		if (marley_onload) marley_onload.call(this, listview);
		group_by_portal_status_by_default(listview);
		add_onboarding_report_button(listview);
	};

	// The onboarding report answers the next question, "why not, and what do I do": one click away.
	function add_onboarding_report_button(listview) {
		if (!frappe.user.has_role(ADMIN_ROLES)) return;
		listview.page.add_inner_button(__("Portal Onboarding"), () =>
			frappe.set_route("query-report", "Patient Portal Onboarding")
		);
	}

	function portal_status_pill(value) {
		const status = value || "Not Enabled";
		const colour = frappe.boot.portal_onboarding?.status_colours?.[status] || "gray";
		const label = frappe.utils.escape_html(__(status));
		const filter = frappe.utils.escape_html(`${FIELD},=,${status}`);
		return `<span class="ellipsis" title="${__("Portal Status")}: ${label}">
			<span class="indicator-pill ${colour} filterable ellipsis" data-filter="${filter}"
				data-portal-status="${frappe.utils.escape_html(status)}">
				<span class="ellipsis">${label}</span>
			</span>
		</span>`;
	}

	// Frappe keeps the sidebar's group-by fields per user. A portal admin who has never chosen their own
	// starts with Portal Status; once they pick fields in "Edit Filters" (even none), their choice stands.
	function group_by_portal_status_by_default(listview) {
		if (!listview.list_sidebar || !frappe.user.has_role(ADMIN_ROLES)) return;
		if ("group_by_fields" in frappe.get_user_settings(listview.doctype)) return;
		frappe.model.user_settings
			.save(listview.doctype, "group_by_fields", [FIELD])
			.then(() => listview.list_sidebar.setup_list_group_by());
	}
})();
