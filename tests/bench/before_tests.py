"""Prepare the test site as `bench run-tests` does: scheduler off, then every app's before_tests hook.

ERPNext's hook completes the setup wizard (company, fiscal year, address template), without which
Desk opens the wizard and addresses cannot be rendered. Usage: python -m tests.bench.before_tests BENCH SITE
"""

import os
import sys


def main(bench: str, site: str) -> None:
	import frappe
	from frappe.utils.scheduler import disable_scheduler

	os.chdir(os.path.join(bench, "sites"))
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		if not frappe.conf.allow_tests:
			sys.exit(f"site {site} does not have allow_tests set")
		frappe.flags.in_test = True
		frappe.clear_cache()
		disable_scheduler()
		for hook in frappe.get_hooks("before_tests"):
			frappe.get_attr(hook)()
		frappe.db.commit()
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main(sys.argv[1], sys.argv[2])
