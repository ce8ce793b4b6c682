// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

// The user-management list: every portal account with its status in colour, counts per status and
// per access type in the sidebar, and the accounts whose access ends within 30 days.
const PORTAL_ADMIN_ROLES = ["System Manager", "Portal Onboarding Manager"];
const EXPIRING_DAYS = 30;

frappe.listview_settings["Patient Portal Account"] = {
	add_fields: ["status", "access_type", "access_valid_until"],
	get_indicator(doc) {
		const colours = frappe.boot.portal_onboarding?.status_colours || {};
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
	onload(listview) {
		group_by_status_and_access_type(listview);
	},
	refresh(listview) {
		show_expiring_soon(listview);
	},
};

// Frappe keeps the sidebar's group-by fields per user: an admin who never chose their own starts with
// Status and Access Type, each with its counts; once they pick fields in "Edit Filters", theirs stand.
function group_by_status_and_access_type(listview) {
	if (!listview.list_sidebar || !frappe.user.has_role(PORTAL_ADMIN_ROLES)) return;
	if ("group_by_fields" in frappe.get_user_settings(listview.doctype)) return;
	frappe.model.user_settings
		.save(listview.doctype, "group_by_fields", ["status", "access_type"])
		.then(() => {
			// The group-by area is rebuilt from the saved settings. Its item clicks are delegated to the
			// area itself, which survives the rebuild: unbind the old handler so a click filters once.
			listview.list_sidebar.list_group_by?.$wrapper.off("click", ".group-by-item");
			listview.list_sidebar.setup_list_group_by();
		});
}

function expiring_range() {
	const today = frappe.datetime.get_today();
	return [today, frappe.datetime.add_days(today, EXPIRING_DAYS)];
}

function show_expiring_soon(listview) {
	const sidebar = listview.list_sidebar?.sidebar;
	if (!sidebar) return;
	if (!sidebar.find("[data-portal-expiring]").length) {
		// Under the group-by fields, in their style: a filter with its count.
		sidebar.find(".list-group-by").after(`<li class="list-link" data-portal-expiring>
			<a class="btn btn-default btn-sm list-sidebar-button text-decoration-none" href="#"
				title="${__("Accounts whose access ends within {0} days", [EXPIRING_DAYS])}">
				<span class="text-wrap text-left">${__("Expires within {0} days", [EXPIRING_DAYS])}</span>
				<span class="group-by-count text-nowrap hidden">(<span data-count></span>)</span>
			</a>
		</li>`);
		sidebar.find("[data-portal-expiring] a").on("click", (event) => {
			event.preventDefault();
			listview.filter_area
				.clear(false)
				.then(() =>
					listview.filter_area.add([
						[listview.doctype, "access_valid_until", "between", expiring_range()],
					])
				);
		});
	}
	const link = sidebar.find("[data-portal-expiring]");
	frappe.db
		.count(listview.doctype, {
			filters: { access_valid_until: ["between", expiring_range()] },
		})
		.then((count) => {
			link.find("[data-count]").text(count);
			link.find(".group-by-count").removeClass("hidden");
		});
}
