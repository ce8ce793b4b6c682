import ast
from pathlib import Path

import portal_onboarding.core

CORE = Path(portal_onboarding.core.__file__).parent
PURE_MODULES = [*sorted(CORE.glob("*.py")), CORE.parent / "constants.py"]


def imported_roots(path: Path) -> set[str]:
	roots = set()
	for node in ast.walk(ast.parse(path.read_text())):
		if isinstance(node, ast.Import):
			roots.update(alias.name.split(".")[0] for alias in node.names)
		elif isinstance(node, ast.ImportFrom) and node.module:
			roots.add(node.module.split(".")[0])
	return roots


def test_core_never_imports_frappe_or_its_apps():
	assert len(PURE_MODULES) >= 7
	for path in PURE_MODULES:
		assert not imported_roots(path) & {"frappe", "erpnext", "healthcare"}, path.name
