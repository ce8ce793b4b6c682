// Copyright (c) 2026, portal_onboarding contributors and contributors
// For license information, please see license.txt

// Formatting and buttons only: rows, colours, reasons and counts come from the server.
(() => {
	const BATCH_DONE = "portal_onboarding_batch_done";
	const PROGRESS_TITLE = __("Inviting patients");
	// What a row's email does (the server's `email_action`): its tooltip and the click it answers to.
	// A resend revokes the link sent before, and a reset mails a link, so the admin confirms both first.
	const EMAIL_ACTIONS = {
		invite: { label: __("Send the invitation"), css: "po-invite" },
		resend_invitation: { label: __("Resend the invitation"), css: "po-invite" },
		send_password_reset: { label: __("Send a password reset link"), css: "po-reset" },
	};
	const esc = (value) => frappe.utils.escape_html(value == null ? "" : String(value));

	const statuses = () => Object.keys(frappe.boot.portal_onboarding?.status_colours || {});
	// "Turns 18 within 30 days", with the clinic's age of majority.
	const turning_adult_label = () => {
		const boot = frappe.boot.portal_onboarding || {};
		return __("Turns {0} within {1} days", [
			cint(boot.majority_age) || 18,
			cint(boot.turning_adult_days) || 30,
		]);
	};

	// Any filter but the page itself starts again from the first page.
	const back_to_first_page = () => {
		const report = frappe.query_report;
		if (cint(report.get_filter_value("page")) !== 1) {
			report.set_filter_value("page", 1);
		} else {
			report.refresh();
		}
	};

	const refresh_rows = (patients) =>
		frappe
			.call({
				method: "portal_onboarding.api.onboarding.rows",
				args: { patients },
			})
			.then((r) => {
				const report = frappe.query_report;
				for (const fresh of r.message || []) {
					const row = report.data.find((d) => d.patient === fresh.patient);
					if (row) Object.assign(row, fresh);
				}
				report.datatable.refresh(report.data);
			});

	const row_of = (patient) => frappe.query_report.data.find((d) => d.patient === patient) || {};

	const enable = (patient) => {
		const name = row_of(patient).patient_name || patient;
		frappe.confirm(
			__("Enable portal access for {0}? Their invitation is sent separately.", [esc(name)]),
			() =>
				frappe
					.call({
						method: "portal_onboarding.api.account.enable",
						args: { patient },
						freeze: true,
					})
					.then(() =>
						frappe.show_alert({
							message: __("Portal access enabled"),
							indicator: "green",
						})
					)
					.always(() => refresh_rows([patient]))
		);
	};

	// The account form's "Send password reset": the same API, its checks, rate limit and audit.
	const send_reset = (account, patient) =>
		frappe
			.call({
				method: "portal_onboarding.api.account.send_password_reset",
				args: { account },
				freeze: true,
				freeze_message: __("Sending the password reset link…"),
			})
			.then(() =>
				frappe.show_alert({ message: __("Password reset link sent"), indicator: "green" })
			)
			.always(() => refresh_rows([patient]));

	// An account that is Active already gets no invitation: the answer offers its reset instead.
	const offer_reset = (answer, patient) => {
		if (answer.action === "send_password_reset") {
			frappe.confirm(answer.message, () => send_reset(answer.account, patient));
		} else {
			frappe.msgprint(answer.message);
		}
	};

	const reset = (patient) => {
		const row = row_of(patient);
		frappe.confirm(__("Email {0} a link to choose a new password?", [esc(row.email)]), () =>
			send_reset(row.reset_account, patient)
		);
	};

	const send_invitation = (patient) =>
		frappe
			.call({
				method: "portal_onboarding.api.invitation.invite",
				args: { patient },
				freeze: true,
				freeze_message: __("Sending the invitation…"),
			})
			.then((r) => {
				if (r.message?.already_active) {
					offer_reset(r.message, patient);
				} else {
					frappe.show_alert({ message: __("Invitation queued"), indicator: "green" });
				}
			})
			.always(() => refresh_rows([patient]));

	const invite = (patient) => {
		const row = row_of(patient);
		if (row.email_action !== "resend_invitation") return send_invitation(patient);
		frappe.confirm(
			__("Send {0} a new invitation? The link sent before stops working.", [
				esc(row.patient_name || patient),
			]),
			() => send_invitation(patient)
		);
	};

	let watched_batch = null;
	let poller = null;

	const batch_done = (data) => {
		if (!data || data.batch !== watched_batch) return;
		watched_batch = null;
		clearInterval(poller);
		frappe.hide_progress();
		const link = `<a href="/app/patient-portal-invitation-batch/${encodeURIComponent(
			data.batch
		)}">${esc(data.batch)}</a>`;
		frappe.msgprint({
			title:
				data.status === "Completed"
					? __("Invitations sent")
					: __("Invitation batch stopped"),
			indicator: data.status === "Completed" ? "green" : "red",
			message: __("{0}: {1} sent, {2} skipped, {3} failed, of {4} patients.", [
				link,
				cint(data.sent),
				cint(data.skipped),
				cint(data.failed),
				cint(data.total),
			]),
		});
		frappe.query_report.refresh();
	};

	// Progress arrives over realtime; polling covers a browser whose socket is not connected.
	const watch = (batch) => {
		watched_batch = batch;
		frappe.show_progress(PROGRESS_TITLE, 0, 100, __("Starting…"));
		clearInterval(poller);
		poller = setInterval(() => {
			frappe
				.call({
					method: "portal_onboarding.api.onboarding.batch_status",
					args: { batch },
					type: "GET",
				})
				.then((r) => {
					const s = r.message;
					if (!s || s.batch !== watched_batch) return;
					if (s.status === "Completed" || s.status === "Failed") {
						batch_done(s);
					} else if (cint(s.total)) {
						const done = cint(s.sent) + cint(s.skipped) + cint(s.failed);
						frappe.show_progress(
							PROGRESS_TITLE,
							(100 * done) / cint(s.total),
							100,
							__("{0} of {1} patients", [done, cint(s.total)])
						);
					}
				});
		}, 4000);
	};

	const bulk_invite = (args, message) =>
		frappe.confirm(message, () =>
			frappe
				.call({
					method: "portal_onboarding.api.onboarding.bulk_invite",
					args,
					freeze: true,
				})
				.then((r) => watch(r.message.batch))
		);

	frappe.query_reports["Patient Portal Onboarding"] = {
		filters: [
			{
				fieldname: "status",
				label: __("Portal Status"),
				fieldtype: "Select",
				options: [{ value: "", label: "" }].concat(
					statuses().map((s) => ({ value: s, label: __(s) }))
				),
				on_change: back_to_first_page,
			},
			{
				fieldname: "eligible_only",
				label: __("Eligible Only"),
				fieldtype: "Check",
				on_change: back_to_first_page,
			},
			{
				fieldname: "search",
				label: __("Name, Email or Mobile"),
				fieldtype: "Data",
				on_change: back_to_first_page,
			},
			{
				fieldname: "invited_from",
				label: __("Invited From"),
				fieldtype: "Date",
				on_change: back_to_first_page,
			},
			{
				fieldname: "invited_to",
				label: __("Invited To"),
				fieldtype: "Date",
				on_change: back_to_first_page,
			},
			{
				fieldname: "turning_adult",
				label: turning_adult_label(),
				fieldtype: "Check",
				on_change: back_to_first_page,
			},
			{ fieldname: "page", label: __("Page"), fieldtype: "Int", default: 1 },
			{
				fieldname: "page_length",
				label: __("Rows per Page"),
				fieldtype: "Select",
				options: ["100", "500", "1000"],
				default: "100",
				on_change: back_to_first_page,
			},
		],

		get_datatable_options(options) {
			return Object.assign(options, { checkboxColumn: true });
		},

		formatter(value, row, column, data, default_formatter) {
			if (!data) return default_formatter(value, row, column, data);
			const field = column.fieldname;
			if (field === "portal_status") {
				const enable = value === "Not Enabled";
				const title = enable ? __("Click to enable portal access") : "";
				return `<span class="indicator-pill ${esc(
					data.status_colour || "gray"
				)} po-status${enable ? " po-enable" : ""}" data-patient="${esc(
					data.patient
				)}" title="${esc(title)}"${
					enable ? ' role="button" style="cursor: pointer"' : ""
				}>${esc(__(value))}</span>`;
			}
			const action = field === "email" && value && EMAIL_ACTIONS[data.email_action];
			if (action) {
				return `<a class="${action.css}" role="button" data-patient="${esc(
					data.patient
				)}" title="${esc(action.label)}">${esc(value)}</a>`;
			}
			if (["patient_name", "email", "mobile", "home_zip", "reason"].includes(field)) {
				return esc(value);
			}
			return default_formatter(value, row, column, data);
		},

		onload(report) {
			report.page.add_inner_button(__("Previous Page"), () => {
				const page = cint(report.get_filter_value("page")) || 1;
				if (page > 1) report.set_filter_value("page", page - 1);
			});
			report.page.add_inner_button(__("Next Page"), () => {
				const page = cint(report.get_filter_value("page")) || 1;
				if (
					(report.data || []).length >=
					cint(report.get_filter_value("page_length") || 100)
				) {
					report.set_filter_value("page", page + 1);
				} else {
					frappe.show_alert(__("This is the last page."));
				}
			});
			report.page.add_inner_button(
				__("Enable and Invite Selected"),
				() => {
					const patients = report.get_checked_items().map((row) => row.patient);
					if (!patients.length) {
						frappe.msgprint(__("Tick at least one patient to invite."));
						return;
					}
					bulk_invite(
						{ patients },
						__("Enable portal access for {0} patients and send their invitations?", [
							patients.length,
						])
					);
				},
				__("Invite")
			);
			report.page.add_inner_button(
				__("Invite Every Eligible Patient Not Yet Invited"),
				() =>
					bulk_invite(
						{ all_eligible: 1 },
						__(
							"Send an invitation to every eligible patient who has not been invited yet (or whose link expired or failed)?"
						)
					),
				__("Invite")
			);

			if (!report.__portal_onboarding_bound) {
				report.__portal_onboarding_bound = true;
				report.page.main.on("click", ".po-enable", (e) => {
					e.preventDefault();
					e.stopPropagation();
					enable($(e.currentTarget).attr("data-patient"));
				});
				report.page.main.on("click", ".po-invite", (e) => {
					e.preventDefault();
					e.stopPropagation();
					invite($(e.currentTarget).attr("data-patient"));
				});
				report.page.main.on("click", ".po-reset", (e) => {
					e.preventDefault();
					e.stopPropagation();
					reset($(e.currentTarget).attr("data-patient"));
				});
				frappe.realtime.on(BATCH_DONE, batch_done);
			}
		},
	};
})();
