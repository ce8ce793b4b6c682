"""Install and uninstall from one declaration: what install creates, uninstall removes."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from portal_onboarding.constants import (
	CAN_ACCESS,
	MANAGER_ROLE,
	NO_ACCESS,
	PATIENT,
	PORTAL_ACCESS_FIELD,
	PORTAL_STATUS_FIELD,
	AccountStatus,
)

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
			"translatable": 1,
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
	]
}

ROLES: list[dict] = [{"role_name": MANAGER_ROLE, "desk_access": 1}]


def before_install() -> None:
	"""Roles first: the doctypes synced next grant permissions to them."""
	create_roles()


def after_install() -> None:
	create_custom_fields(CUSTOM_FIELDS, ignore_validate=True)


def after_migrate() -> None:
	"""Keep the custom fields as declared when the declaration changes in a later version."""
	create_roles()
	create_custom_fields(CUSTOM_FIELDS, ignore_validate=True)


def before_uninstall() -> None:
	delete_custom_fields(CUSTOM_FIELDS)
	delete_roles()


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
