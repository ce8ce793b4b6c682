"""The functional core: pure rules with no Frappe import, so they run and are tested anywhere."""
