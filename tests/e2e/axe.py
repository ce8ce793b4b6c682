"""WCAG 2.1 AA in the browser: axe-core (the npm package tests/run installs) run on the page as shown.

A failure names the page, each rule and the elements it found, so the report says what to fix."""

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Page) -> list[dict]:
	"""axe's violations of the WCAG 2.1 A and AA rules on the page as it is now."""
	if not AXE.exists():
		raise AssertionError(f"axe-core is not installed at {AXE}: run `npm install` in tests/e2e")
	if not page.evaluate("() => typeof window.axe !== 'undefined'"):
		page.add_script_tag(path=str(AXE))
	return page.evaluate(
		"""(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
			.then((result) => result.violations.map((v) => ({
				id: v.id,
				impact: v.impact,
				help: v.help,
				targets: v.nodes.map((node) => node.target.join(" ")),
			})))""",
		WCAG_21_AA,
	)


def describe(found: list[dict], where: str) -> str:
	return "\n".join(
		f"{where}: {v['id']} ({v['impact']}): {v['help']} -> {', '.join(v['targets'][:5])}" for v in found
	)


def assert_accessible(page: Page, where: str | None = None) -> None:
	"""No WCAG 2.1 AA violation that axe can detect on the page."""
	found = violations(page)
	assert not found, describe(found, where or page.url)
