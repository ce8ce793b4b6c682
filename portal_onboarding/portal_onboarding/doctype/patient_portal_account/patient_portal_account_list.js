// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

// The user-management list: every portal account with its status in colour, counts per status and
// per access type in the sidebar, the accounts whose access ends within 30 days, and the proxies adult
// patients chose (marked beside their status, and a filter of their own).
const PORTAL_ADMIN_ROLES = ["System Manager", "Portal Onboarding Manager"];
const EXPIRING_DAYS = 30;

frappe.listview_settings["Patient Portal Account"] = {
	add_fields: ["status", "access_type", "access_valid_until", "adult_proxy"],
	get_indicator(doc) {
		const colours = frappe.boot.portal_onboarding?.status_colours || {};
		// A proxy an adult patient chose (or staff invited for an adult) says so beside its status.
		const label = doc.adult_proxy ? __("{0} · Proxy", [__(doc.status)]) : __(doc.status);
		return [label, colours[doc.status] || "gray", "status,=," + doc.status];
	},
	onload(listview) {
		group_by_status_and_access_type(listview);
	},
	refresh(listview) {
		show_expiring_soon(listview);
		show_proxies(listview);
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
	sidebar_filter(listview, "expiring", {
		label: __("Expires within {0} days", [EXPIRING_DAYS]),
		title: __("Accounts whose access ends within {0} days", [EXPIRING_DAYS]),
		filters: { access_valid_until: ["between", expiring_range()] },
	});
}

function show_proxies(listview) {
	sidebar_filter(listview, "proxies", {
		label: __("Proxies"),
		title: __("Representatives an adult patient chose (or staff invited for an adult patient)"),
		filters: { adult_proxy: 1 },
	});
}

// Under the group-by fields, in their style: a filter with its count (filters: {field: value or [op, value]}).
function sidebar_filter(listview, key, { label, title, filters }) {
	const sidebar = listview.list_sidebar?.sidebar;
	if (!sidebar) return;
	if (!sidebar.find(`[data-portal-${key}]`).length) {
		const anchor = sidebar.find("[data-portal-expiring], [data-portal-proxies]").last();
		(anchor.length ? anchor : sidebar.find(".list-group-by")).after(`<li class="list-link" data-portal-${key}>
			<a class="btn btn-default btn-sm list-sidebar-button text-decoration-none" href="#" title="${title}">
				<span class="text-wrap text-left">${label}</span>
				<span class="group-by-count text-nowrap hidden">(<span data-count></span>)</span>
			</a>
		</li>`);
		sidebar.find(`[data-portal-${key}] a`).on("click", (event) => {
			event.preventDefault();
			const rows = Object.entries(filters).map(([field, value]) =>
				Array.isArray(value)
					? [listview.doctype, field, value[0], value[1]]
					: [listview.doctype, field, "=", value]
			);
			listview.filter_area.clear(false).then(() => listview.filter_area.add(rows));
		});
	}
	const link = sidebar.find(`[data-portal-${key}]`);
	frappe.db.count(listview.doctype, { filters }).then((count) => {
		link.find("[data-count]").text(count);
		link.find(".group-by-count").removeClass("hidden");
	});
}
