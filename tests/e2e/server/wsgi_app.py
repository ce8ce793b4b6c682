"""Frappe's WSGI app with /assets and /files served, as `bench serve` does, for gunicorn in e2e tests."""

import os

import frappe.app

frappe.app._sites_path = os.environ.get("SITES_PATH", ".")
application = frappe.app.application_with_statics()
