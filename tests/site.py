"""Where the bench and its site are, for the integration and e2e tiers."""

import json
import os
from pathlib import Path

BENCH = Path(os.environ.get("FRAPPE_BENCH") or Path.home() / "frappe-bench")


def site_name() -> str:
	"""FRAPPE_SITE, else the bench's current site, else its default site."""
	if os.environ.get("FRAPPE_SITE"):
		return os.environ["FRAPPE_SITE"]
	current = BENCH / "sites" / "currentsite.txt"
	if current.exists() and current.read_text().strip():
		return current.read_text().strip()
	return json.loads((BENCH / "sites" / "common_site_config.json").read_text())["default_site"]
