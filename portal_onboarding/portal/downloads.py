"""Files only one login may have (an invoice's PDF, a shared document): sent as an attachment that no
browser or proxy keeps, and never sniffed into something the browser would run."""

import mimetypes

from werkzeug.wrappers import Response


def private_download(filename: str, content: bytes | str, mimetype: str | None = None) -> Response:
	"""The response a whitelisted method returns (Frappe passes a Response through untouched)."""
	response = Response(
		content,
		mimetype=mimetype or mimetypes.guess_type(filename)[0] or "application/octet-stream",
	)
	response.headers.add("Content-Disposition", "attachment", filename=filename)
	response.headers["Cache-Control"] = "no-store, private"
	response.headers["X-Content-Type-Options"] = "nosniff"
	return response
