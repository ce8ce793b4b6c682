from frappe import _

no_cache = 1


def get_context(context: dict) -> dict:
	"""The form only: the request goes to a POST endpoint, and its answer never says who exists."""
	context.title = _("Forgot your password?")
	context.show_sidebar = False
	context.no_breadcrumbs = True
	return context
