app_name = "portal_onboarding"
app_title = "Portal Onboarding"
app_publisher = "portal_onboarding contributors"
app_description = (
	"Safe patient and representative onboarding to the Frappe web portal for Marley Health clinics"
)
app_email = "portal-onboarding@example.com"
app_license = "mit"

required_apps = ["healthcare"]
export_python_type_annotations = True

# Installation
before_install = "portal_onboarding.setup.install.before_install"
after_install = "portal_onboarding.setup.install.after_install"
after_migrate = "portal_onboarding.setup.install.after_migrate"
before_uninstall = "portal_onboarding.setup.install.before_uninstall"

# Desk
extend_bootinfo = "portal_onboarding.boot.extend_bootinfo"

# The audit log, and the (revoked) links an account had, outlive the accounts and patients they speak of.
ignore_links_on_delete = [
	"Patient Portal Event",
	"Patient Portal Invitation",
	"Patient Portal Password Reset",
	# A deleted Patient or record takes its files along, and each file's deletion ends its share.
	"Patient Portal Document",
]

# Guests on the portal's pages read them in their browser's language.
before_request = ["portal_onboarding.portal.language.set_guest_language"]

# A portal login calls only what the portal needs (core/portal_gate.py), and a login that must choose a
# new password reaches nothing else until it has.
auth_hooks = [
	"portal_onboarding.security.portal_gate.gate",
	"portal_onboarding.accounts.password_change.gate",
]
# Each account shows its login's last sign-in (User.last_login) in a column of its own.
on_login = ["portal_onboarding.accounts.last_login.on_login"]

# The Patient quick entry (the booking screen's "New Patient" too): the app's toggle and a carer.
app_include_js = ["/assets/portal_onboarding/js/patient_quick_entry.js"]

doctype_js = {
	"Patient": ["public/js/patient.js", "public/js/form_requests.js", "public/js/patient_documents.js"],
	"File": "public/js/file_documents.js",
	"Patient Portal Account": "public/js/form_requests.js",
}
doctype_list_js = {"Patient": "public/js/patient_list.js"}

doc_events = {
	# A requested form sent from the portal is bound to its request (bails out early for any other insert).
	"*": {
		"before_insert": "portal_onboarding.forms.requests.before_insert",
		"after_insert": "portal_onboarding.forms.requests.after_insert",
		"validate": "portal_onboarding.forms.requests.validate",
		# A cancelled clinical record's shared files stop being shared (bails out for other doctypes).
		"on_cancel": "portal_onboarding.documents.sharing.on_record_cancel",
	},
	"Patient": {
		"validate": "portal_onboarding.integrations.healthcare.patient.validate",
		"after_insert": "portal_onboarding.integrations.healthcare.patient.after_insert",
		"on_update": "portal_onboarding.integrations.healthcare.patient.on_update",
		"after_rename": "portal_onboarding.integrations.healthcare.patient.after_rename",
		"on_trash": "portal_onboarding.integrations.healthcare.patient.on_trash",
	},
	"Address": {
		"on_update": "portal_onboarding.integrations.contacts.address.on_update",
		"after_delete": "portal_onboarding.integrations.contacts.address.after_delete",
	},
	# A document shared with the portal never outlives its file, nor follows it to another record.
	"File": {
		"on_update": "portal_onboarding.documents.sharing.on_file_update",
		"on_trash": "portal_onboarding.documents.sharing.on_file_trash",
	},
}

# The portal: Marley's email-matched pages lead to the grant-scoped ones, and every route that can
# show a patient's record needs a grant (Frappe requires every app's hook to agree).
# 302, not the default 301: browsers keep a 301 even after the app is uninstalled.
website_redirects = [
	{"source": r"/personal-details(/.*)?", "target": "/portal/personal-details", "redirect_http_status": 302},
	{"source": r"/lab-test(/.*)?", "target": "/portal/lab-results", "redirect_http_status": 302},
	{"source": r"/prescription(/.*)?", "target": "/portal/prescriptions", "redirect_http_status": 302},
	{"source": r"/patient-appointments(/.*)?", "target": "/portal/appointments", "redirect_http_status": 302},
	{"source": r"/patient-registration(/.*)?", "target": "/portal/register", "redirect_http_status": 302},
	# Marley's newer releases ship a portal of their own that matches patients by user_id.
	{"source": r"/patient-portal(/.*)?", "target": "/portal", "redirect_http_status": 302},
]
# Frappe's sign-in page sends "Forgot Password?" to the portal's own page and offers the sign-up; its
# reset endpoint mails portal logins our audited link and answers alike whoever was asked for.
# The portal's pages and the sign-in page (only those) get the app's WCAG 2.1 AA stylesheet and form script.
update_website_context = [
	"portal_onboarding.portal.login.point_login_page",
	"portal_onboarding.portal.login.dress_portal_pages",
]
override_whitelisted_methods = {
	"frappe.core.doctype.user.user.reset_password": "portal_onboarding.api.password.frappe_reset_password",
	# Frappe's web form submit does not look at `published`: an unpublished form takes nothing.
	"frappe.website.doctype.web_form.web_form.accept": "portal_onboarding.api.web_form.accept",
}
# Portal logins land on /portal after signing in; Frappe's /me menu links to it.
role_home_page = {"Patient": "portal"}
standard_portal_menu_items = [
	{"title": "Patient Portal", "route": "/portal", "reference_doctype": "Patient", "role": "Patient"}
]
has_website_permission = {
	"Patient": "portal_onboarding.permissions.patient_website_permission",
	"Lab Test": "portal_onboarding.permissions.lab_test_website_permission",
	"Patient Encounter": "portal_onboarding.permissions.encounter_website_permission",
	"Patient Appointment": "portal_onboarding.permissions.appointment_website_permission",
}

scheduler_events = {
	"cron": {"*/5 * * * *": ["portal_onboarding.jobs.resume_stalled_batches"]},
	"hourly": [
		"portal_onboarding.jobs.retry_failed_invitations",
		"portal_onboarding.jobs.expire_invitations",
		"portal_onboarding.jobs.send_invitation_reminders",
		"portal_onboarding.jobs.expire_password_resets",
		"portal_onboarding.jobs.expire_sign_ups",
	],
	"daily": [
		"portal_onboarding.jobs.delete_accounts_pending_delete",
		"portal_onboarding.jobs.apply_age_policy",
	],
}
