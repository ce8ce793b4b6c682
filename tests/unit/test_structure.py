"""The package's structure, read from its own source: layers that only point down, no import cycle,
capabilities that reach each other only through their public names, small modules.

Every import is counted: at module level, inside functions, and under `if TYPE_CHECKING:` (a type-only
import still makes the reader climb a layer). Tests, patches' old code and templates are not read.
"""

import ast
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "portal_onboarding"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE
MAX_LINES = 400
REASON_MARK = "# Imported here"

# Each top-level package or module of the app is one component; its layer is how low it sits.
# A component may import its own modules and any component of a lower layer; capabilities may also
# import each other, but only names a module lists in `__all__`, and never in a circle.
LAYERS: dict[str, int] = {
	"__init__": 0,
	"constants": 0,
	"core": 1,
	"exceptions": 2,
	"settings": 2,
	"permissions": 3,
	"security": 3,
	"primitives": 4,
	"invitations": 5,
	"accounts": 5,
	"representatives": 5,
	"sign_up": 5,
	"forms": 5,
	"bulk": 5,
	"reporting": 5,
	"documents": 5,
	"portal": 5,
}
CAPABILITY = 5
SHELL = 6  # everything else: api, www, doctypes, hooks, jobs, integrations, setup, patches, commands…


@dataclass(frozen=True)
class Import:
	source: str  # the importing module
	target: str  # the imported module
	names: tuple[str, ...]  # names taken from it; empty for the module itself
	line: int
	in_function: bool
	has_reason: bool
	bound: str = ""  # for a module: the name the file binds it to ("" for a bare dotted `import a.b`)


def module_name(path: Path) -> str:
	parts = path.relative_to(ROOT.parent).with_suffix("").parts
	return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules(root: Path = ROOT) -> dict[str, Path]:
	return {module_name(p): p for p in sorted(root.rglob("*.py")) if "__pycache__" not in p.parts}


def component(module: str) -> str:
	parts = module.split(".")
	return parts[1] if len(parts) > 1 else "__init__"


def layer(module: str) -> int:
	return LAYERS.get(component(module), SHELL)


def absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
	if not node.level:
		return node.module or ""
	package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
	base = package[: len(package) - node.level + 1]
	return ".".join([*base, *([node.module] if node.module else [])])


def functions_of(tree: ast.AST) -> Iterable[ast.AST]:
	return (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))


def comment_above(lines: list[str], line: int) -> str:
	"""The comment block right above a line (1-based), its first line first."""
	block: list[str] = []
	row = line - 2
	while row >= 0 and lines[row].strip().startswith("#"):
		block.insert(0, lines[row].strip())
		row -= 1
	return " ".join(block)


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
	source = path.read_text()
	tree = ast.parse(source)
	lines = source.splitlines()
	inside = {id(n) for f in functions_of(tree) for n in ast.walk(f)}
	found = []
	for node in ast.walk(tree):
		if isinstance(node, ast.Import):
			pairs = [(a.name, (), a.asname or "") for a in node.names]
		elif isinstance(node, ast.ImportFrom):
			base = absolute(module, path, node)
			pairs = []
			for alias in node.names:
				if f"{base}.{alias.name}" in modules:  # `from package import module`
					pairs.append((f"{base}.{alias.name}", (), alias.asname or alias.name))
				else:
					pairs.append((base, (alias.name,), ""))
		else:
			continue
		above = comment_above(lines, node.lineno)
		for target, names, bound in pairs:
			if target in modules:
				found.append(
					Import(
						module,
						target,
						names,
						node.lineno,
						id(node) in inside,
						above.startswith(REASON_MARK),
						bound,
					)
				)
	return found


def all_imports(root: Path = ROOT) -> list[Import]:
	modules = app_modules(root)
	return [i for m, p in modules.items() for i in imports_of(m, p, modules) if i.target != m]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
	"""The strongly connected groups of more than one node (Tarjan), each sorted."""
	index: dict[str, int] = {}
	low: dict[str, int] = {}
	stack: list[str] = []
	on_stack: set[str] = set()
	found: list[list[str]] = []
	counter = [0]

	def visit(node: str) -> None:
		index[node] = low[node] = counter[0]
		counter[0] += 1
		stack.append(node)
		on_stack.add(node)
		for other in sorted(edges.get(node, ())):
			if other not in index:
				visit(other)
				low[node] = min(low[node], low[other])
			elif other in on_stack:
				low[node] = min(low[node], index[other])
		if low[node] == index[node]:
			group = []
			while True:
				other = stack.pop()
				on_stack.discard(other)
				group.append(other)
				if other == node:
					break
			if len(group) > 1:
				found.append(sorted(group))

	for node in sorted(edges):
		if node not in index:
			visit(node)
	return found


def module_edges(imports: list[Import]) -> dict[str, set[str]]:
	edges: dict[str, set[str]] = defaultdict(set)
	for i in imports:
		edges[i.source].add(i.target)
	return edges


def component_edges(imports: list[Import]) -> dict[str, set[str]]:
	edges: dict[str, set[str]] = defaultdict(set)
	for i in imports:
		if component(i.source) != component(i.target):
			edges[component(i.source)].add(component(i.target))
	return edges


def public_names(path: Path) -> set[str]:
	for node in ast.parse(path.read_text()).body:
		if isinstance(node, ast.Assign) and any(
			isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
		):
			return set(ast.literal_eval(node.value))
	return set()


def attributes_used(path: Path, alias: str) -> set[str]:
	tree = ast.parse(path.read_text())
	return {
		n.attr
		for n in ast.walk(tree)
		if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == alias
	}


IMPORTS = all_imports()
MODULES = app_modules()


def test_the_walk_sees_the_package():
	"""A guard for the guards below: the walk reads the app, and a known import is in its picture."""
	assert len(MODULES) > 150
	assert any(
		i.source == f"{PACKAGE}.invitations.sending" and i.target == f"{PACKAGE}.primitives.locks"
		for i in IMPORTS
	)
	assert "invitations" in component_edges(IMPORTS)["accounts"]


def test_the_cycle_finder_finds_a_planted_cycle():
	edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
	assert cycles(edges) == [["a", "b", "c"]]
	assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_cycle():
	assert cycles(module_edges(IMPORTS)) == []


def test_no_cycle_between_packages():
	assert cycles(component_edges(IMPORTS)) == []


def test_layers_only_point_down():
	upward = sorted(
		f"{i.source}:{i.line} imports {i.target}"
		for i in IMPORTS
		if component(i.source) != component(i.target)
		and layer(i.target) >= layer(i.source)
		and not (layer(i.source) == layer(i.target) in (CAPABILITY, SHELL))
	)
	assert upward == []


def test_capabilities_reach_each_other_only_through_public_names():
	"""Where one capability starts another's action, it calls a name the other lists in `__all__`."""
	private = []
	for i in IMPORTS:
		if not (
			layer(i.source) == layer(i.target) == CAPABILITY and component(i.source) != component(i.target)
		):
			continue
		public = public_names(MODULES[i.target])
		used = set(i.names) or (attributes_used(MODULES[i.source], i.bound) if i.bound else set())
		if not used:  # a module bound where its uses cannot be read: name what is taken instead
			private.append(f"{i.source}:{i.line} imports {i.target} without a readable use")
		private += [f"{i.source}:{i.line} uses {i.target}.{name}" for name in sorted(used - public)]
	assert private == []


def test_public_names_exist():
	missing = []
	for module, path in MODULES.items():
		tree = ast.parse(path.read_text())
		defined = {
			n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
		} | {
			t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)
		}
		missing += [f"{module}.{name}" for name in sorted(public_names(path) - defined)]
	assert missing == []


def test_imports_inside_functions_say_why():
	"""Only where Frappe's loading order needs it, with a comment right above that begins "# Imported here"."""
	unexplained = sorted(f"{i.source}:{i.line}" for i in IMPORTS if i.in_function and not i.has_reason)
	assert unexplained == []
	assert sum(1 for i in IMPORTS if i.in_function) <= 3


def test_no_module_over_the_size_limit():
	too_long = sorted(
		f"{module}: {len(path.read_text().splitlines())} lines"
		for module, path in MODULES.items()
		if len(path.read_text().splitlines()) > MAX_LINES
	)
	assert too_long == []
