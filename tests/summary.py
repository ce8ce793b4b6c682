"""Print each tier's counts from its JUnit report, and one closing line for all tiers that ran."""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

TIERS = ("unit", "integration", "e2e")


def counts(report: Path) -> dict[str, int]:
	root = ET.parse(report).getroot()
	suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
	total = {key: 0 for key in ("tests", "failures", "errors", "skipped")}
	for suite in suites:
		for key in total:
			total[key] += int(suite.get(key, 0))
	return total


def main(reports: Path) -> int:
	passed = failed = skipped = 0
	for tier in TIERS:
		report = reports / f"{tier}.xml"
		if not report.exists():
			print(f"{tier}: not run")
			continue
		c = counts(report)
		tier_failed = c["failures"] + c["errors"]
		tier_passed = c["tests"] - tier_failed - c["skipped"]
		print(f"{tier}: {tier_passed} passed, {tier_failed} failed, {c['skipped']} skipped")
		passed, failed, skipped = passed + tier_passed, failed + tier_failed, skipped + c["skipped"]
	print(f"all tiers: {passed} passed, {failed} failed, {skipped} skipped")
	return 0


if __name__ == "__main__":
	sys.exit(main(Path(sys.argv[1])))
