from frappe import _

no_cache = 1


def get_context(context: dict) -> dict:
	"""A neutral shell: the key lives in the URL fragment, which never reaches the server.

	The page's script reads the key, strips it from the address bar and asks the POST endpoints.
	"""
	context.title = _("Activate your portal account")
	context.show_sidebar = False
	context.no_breadcrumbs = True
	return context
