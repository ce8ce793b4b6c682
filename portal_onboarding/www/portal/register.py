from frappe import _

no_cache = 1


def get_context(context: dict) -> dict:
	"""The sign-up form, and the page its mailed link opens (the key stays in the URL fragment)."""
	context.title = _("Sign up for the patient portal")
	context.show_sidebar = False
	context.no_breadcrumbs = True
	return context
