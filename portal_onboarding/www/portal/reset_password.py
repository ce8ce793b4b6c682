from frappe import _

no_cache = 1


def get_context(context: dict) -> dict:
	"""A neutral shell: the key lives in the URL fragment; the page's script asks the POST endpoints."""
	context.title = _("Choose a new password")
	context.show_sidebar = False
	context.no_breadcrumbs = True
	return context
