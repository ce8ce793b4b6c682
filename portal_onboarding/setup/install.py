"""Install and uninstall from one declaration: what install creates, uninstall removes."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.custom.doctype.property_setter.property_setter import make_property_setter
from frappe.permissions import reset_perms, setup_custom_perms

from portal_onboarding.accounts.marley_logins import migrate_marley_logins
from portal_onboarding.constants import (
	ACTIVATED_FIELD,
	ADMIN_ROLES,
	CAN_ACCESS,
	CARER_ACCESS_FIELD,
	CARER_EMAIL_FIELD,
	CARER_FIRST_NAME_FIELD,
	CARER_LAST_NAME_FIELD,
	CARER_MOBILE_FIELD,
	CARER_RELATION_FIELD,
	HOME_ZIP_FIELD,
	LAST_INVITED_FIELD,
	MANAGER_ROLE,
	NO_ACCESS,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	PORTAL_REASON_FIELD,
	PORTAL_STATUS_FIELD,
	RELATIONS,
	REPRESENTATIVES_FIELD,
	SEND_INVITATION_FIELD,
	AccountStatus,
)
from portal_onboarding.setup.indexes import drop_indexes, ensure_indexes
from portal_onboarding.setup.marley import replace_marley_portal, restore_marley_portal
from portal_onboarding.setup.patient_list import (
	hide_portal_status_in_patient_list,
	show_portal_status_in_patient_list,
)
from portal_onboarding.setup.templates import sync_invitation_template
from portal_onboarding.setup.upkeep import (
	give_age_policy_defaults,
	give_default_sections,
	give_medical_record_defaults,
)

TOGGLE_PERMLEVEL = 1

CUSTOM_FIELDS: dict[str, list[dict]] = {
	PATIENT: [
		{
			"fieldname": PORTAL_ACCESS_FIELD,
			"label": "Portal Access",
			"fieldtype": "Select",
			"options": f"{NO_ACCESS}\n{CAN_ACCESS}",
			"default": NO_ACCESS,
			"insert_after": "user_id",
			"no_copy": 1,
			"read_only": 1,
			"translatable": 1,
			"description": "Changed with the Portal buttons, which check eligibility and end sessions.",
		},
		{
			"fieldname": PORTAL_STATUS_FIELD,
			"label": "Portal Status",
			"fieldtype": "Select",
			"options": "\n".join(AccountStatus.ALL),
			"default": AccountStatus.NOT_ENABLED,
			"insert_after": PORTAL_ACCESS_FIELD,
			"read_only": 1,
			"no_copy": 1,
			"in_standard_filter": 1,
		},
		{
			"fieldname": PORTAL_REASON_FIELD,
			"label": "Portal Status Reason",
			"fieldtype": "Small Text",
			"insert_after": PORTAL_STATUS_FIELD,
			"read_only": 1,
			"no_copy": 1,
			"depends_on": f"eval:doc.{PORTAL_REASON_FIELD}",
		},
		{
			"fieldname": LAST_INVITED_FIELD,
			"label": "Portal Last Invited On",
			"fieldtype": "Datetime",
			"insert_after": PORTAL_REASON_FIELD,
			"read_only": 1,
			"no_copy": 1,
			"hidden": 1,
		},
		{
			"fieldname": ACTIVATED_FIELD,
			"label": "Portal Activated On",
			"fieldtype": "Datetime",
			"insert_after": LAST_INVITED_FIELD,
			"read_only": 1,
			"no_copy": 1,
			"hidden": 1,
		},
		{
			"fieldname": REPRESENTATIVES_FIELD,
			"label": "Portal Representatives",
			"fieldtype": "Int",
			"insert_after": ACTIVATED_FIELD,
			"read_only": 1,
			"no_copy": 1,
			"hidden": 1,
		},
		{
			"fieldname": HOME_ZIP_FIELD,
			"label": "Portal Home ZIP Code",
			"fieldtype": "Data",
			"insert_after": REPRESENTATIVES_FIELD,
			"read_only": 1,
			"no_copy": 1,
			"hidden": 1,
			"description": "The primary address's ZIP code, kept in step by the Address hooks.",
		},
		{
			"fieldname": SEND_INVITATION_FIELD,
			"label": "Send Patient Portal Access via Email/SMS",
			"fieldtype": "Check",
			"insert_after": HOME_ZIP_FIELD,
			"no_copy": 1,
			"default": "0",
			# Only the portal admin roles write this level (TOGGLE_PERMISSIONS); the hook checks too.
			"permlevel": TOGGLE_PERMLEVEL,
		},
		{
			"fieldname": CARER_ACCESS_FIELD,
			"label": "Give patient portal access to someone other than the patient",
			"fieldtype": "Check",
			"insert_after": SEND_INVITATION_FIELD,
			"no_copy": 1,
			"default": "0",
			"permlevel": TOGGLE_PERMLEVEL,
			"description": "A parent or carer who will look after the patient's portal account: invited by "
			"email as an Authorized Representative once the patient is saved.",
		},
		*[
			{
				"fieldname": fieldname,
				"label": label,
				"fieldtype": fieldtype,
				"options": options,
				"insert_after": after,
				"no_copy": 1,
				"permlevel": TOGGLE_PERMLEVEL,
				"depends_on": f"eval:doc.{CARER_ACCESS_FIELD}",
			}
			for fieldname, label, fieldtype, options, after in (
				(CARER_FIRST_NAME_FIELD, "Carer's First Name", "Data", None, CARER_ACCESS_FIELD),
				(CARER_LAST_NAME_FIELD, "Carer's Last Name", "Data", None, CARER_FIRST_NAME_FIELD),
				(CARER_EMAIL_FIELD, "Carer's Email", "Data", "Email", CARER_LAST_NAME_FIELD),
				(CARER_MOBILE_FIELD, "Carer's Mobile", "Data", "Phone", CARER_EMAIL_FIELD),
				(
					CARER_RELATION_FIELD,
					"Carer's Relation to Patient",
					"Select",
					"\n".join(("", *RELATIONS)),
					CARER_MOBILE_FIELD,
				),
			)
		],
	]
}

# Marley's "Invite as User" creates a User synchronously; our invitation flow takes its place.
PROPERTY_SETTERS: list[dict] = [
	{
		"doctype": PATIENT,
		"fieldname": "invite_user",
		"property": "hidden",
		"value": "1",
		"property_type": "Check",
	},
	{
		"doctype": PATIENT,
		"fieldname": "invite_user",
		"property": "default",
		"value": "0",
		"property_type": "Text",
	},
	{
		"doctype": PATIENT,
		"fieldname": "invite_user",
		"property": "permlevel",
		"value": str(TOGGLE_PERMLEVEL),
		"property_type": "Int",
	},
]

# Who may write the invitation toggles on Patient: a permission level only the portal admins hold.
# The manager role also reads Patients and runs reports on them (the onboarding report's ref_doctype),
# so it works on its own; it never writes a Patient's clinical fields (level 0).
TOGGLE_PERMISSIONS: list[dict] = [
	{"parent": PATIENT, "role": role, "permlevel": TOGGLE_PERMLEVEL, "read": 1, "write": 1}
	for role in ADMIN_ROLES
] + [{"parent": PATIENT, "role": MANAGER_ROLE, "permlevel": 0, "read": 1, "report": 1, "print": 1}]

ROLES: list[dict] = [{"role_name": MANAGER_ROLE, "desk_access": 1}]


def before_install() -> None:
	"""Roles first: the doctypes synced next grant permissions to them."""
	create_roles()


def after_install() -> None:
	create_custom_fields(CUSTOM_FIELDS, ignore_validate=True)
	create_property_setters()
	create_toggle_permissions()
	# First: a later step's save of the whole settings would store these fields unticked.
	give_medical_record_defaults()
	give_age_policy_defaults()
	sync_invitation_template()
	give_default_sections()
	ensure_indexes()
	show_portal_status_in_patient_list()
	replace_marley_portal()
	migrate_marley_logins()
	# Families sharing one email each get a login of their own, found by username.
	frappe.db.set_single_value("System Settings", "allow_login_using_user_name", 1)


def after_migrate() -> None:
	"""Keep the custom fields as declared when the declaration changes in a later version."""
	create_roles()
	create_custom_fields(CUSTOM_FIELDS, ignore_validate=True)
	create_property_setters()
	create_toggle_permissions()
	sync_invitation_template()
	ensure_indexes()
	replace_marley_portal()


def before_uninstall() -> None:
	restore_marley_portal()
	drop_indexes()
	hide_portal_status_in_patient_list()
	delete_custom_fields(CUSTOM_FIELDS)
	delete_property_setters()
	delete_toggle_permissions()
	delete_roles()


PERMISSION_FLAGS = (
	"if_owner",
	"select",
	"read",
	"write",
	"create",
	"delete",
	"submit",
	"cancel",
	"amend",
	"report",
	"export",
	"import",
	"share",
	"print",
	"email",
)


def create_toggle_permissions() -> None:
	"""Give the portal admin roles the permission level of the invitation toggles on Patient.

	Frappe keeps a doctype's customised permissions as a full copy (Custom DocPerm), so the
	standard rules are copied first, exactly as the Role Permissions Manager does.
	"""
	for perm in TOGGLE_PERMISSIONS:
		setup_custom_perms(perm["parent"])
		key = {"parent": perm["parent"], "role": perm["role"], "permlevel": perm["permlevel"], "if_owner": 0}
		if not frappe.db.exists("Custom DocPerm", key):
			frappe.get_doc(
				{"doctype": "Custom DocPerm", "parenttype": "DocType", "parentfield": "permissions", **perm}
			).insert(ignore_permissions=True)
		frappe.clear_cache(doctype=perm["parent"])


def delete_toggle_permissions() -> None:
	"""Remove the rules install added; when what is left is just the standard copy, drop the copy too."""
	for doctype in {perm["parent"] for perm in TOGGLE_PERMISSIONS}:
		for perm in TOGGLE_PERMISSIONS:
			if perm["parent"] == doctype:
				frappe.db.delete(
					"Custom DocPerm",
					{"parent": doctype, "role": perm["role"], "permlevel": perm["permlevel"]},
				)
		if permission_rules("Custom DocPerm", doctype) == permission_rules("DocPerm", doctype):
			reset_perms(doctype)
		frappe.clear_cache(doctype=doctype)


def permission_rules(table: str, doctype: str) -> list[tuple]:
	fields = ["role", "permlevel", *PERMISSION_FLAGS]
	rows = frappe.get_all(table, filters={"parent": doctype}, fields=fields)
	return sorted(tuple(row.get(f) or 0 for f in fields) for row in rows)


def create_property_setters() -> None:

	for ps in PROPERTY_SETTERS:
		make_property_setter(
			ps["doctype"],
			ps["fieldname"],
			ps["property"],
			ps["value"],
			ps["property_type"],
			validate_fields_for_doctype=False,
		)


def delete_property_setters() -> None:
	for ps in PROPERTY_SETTERS:
		frappe.db.delete(
			"Property Setter",
			{"doc_type": ps["doctype"], "field_name": ps["fieldname"], "property": ps["property"]},
		)
		frappe.clear_cache(doctype=ps["doctype"])


def create_roles() -> None:
	for role in ROLES:
		if not frappe.db.exists("Role", role["role_name"]):
			frappe.get_doc({"doctype": "Role", **role}).insert(ignore_permissions=True)


def delete_roles() -> None:
	for role in ROLES:
		frappe.db.delete("Has Role", {"role": role["role_name"]})
		frappe.delete_doc("Role", role["role_name"], ignore_permissions=True, force=True, ignore_missing=True)


def delete_custom_fields(custom_fields: dict[str, list[dict]]) -> None:
	"""Remove the fields' definitions and their columns, so a reinstall starts clean."""
	for doctype, fields in custom_fields.items():
		for field in fields:
			name = frappe.db.get_value("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]})
			if name:
				frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
			if frappe.db.has_column(doctype, field["fieldname"]):
				frappe.db.sql_ddl(f"alter table `tab{doctype}` drop column `{field['fieldname']}`")
		frappe.clear_cache(doctype=doctype)
