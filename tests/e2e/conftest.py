"""Starts the site under gunicorn on loopback and gives tests a headless Chromium page."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.background import realtime_url, worker  # noqa: F401  (session fixtures)
from tests.site import BENCH, connect, site_name

CHROMIUM = "/usr/bin/chromium"
# Screenshots the README shows; each e2e run refreshes them.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


def pytest_configure(config: pytest.Config) -> None:
	connect()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
	"""Tests with a live RQ worker run last: the others take their own jobs off the queue by hand."""
	items.sort(key=lambda item: "worker" in getattr(item, "fixturenames", ()))


def pytest_unconfigure(config: pytest.Config) -> None:
	import frappe

	if getattr(frappe.local, "site", None):
		frappe.db.rollback()
		frappe.destroy()


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
	"""The site's own name on a free loopback port, served by gunicorn for the whole session."""
	port = free_port()
	sites = BENCH / "sites"
	log = open(Path(__file__).parent.parent / ".reports" / "gunicorn.log", "w")
	server = subprocess.Popen(
		[
			sys.executable,
			"-m",
			"gunicorn",
			"-b",
			f"127.0.0.1:{port}",
			"-w",
			"2",
			"-t",
			"120",
			"--pythonpath",
			str(Path(__file__).parent / "server"),
			"wsgi_app:application",
		],
		cwd=sites,
		env={**os.environ, "SITES_PATH": str(sites)},
		stdout=log,
		stderr=subprocess.STDOUT,
	)
	url = f"http://{site_name()}:{port}"
	try:
		deadline = time.monotonic() + 60
		while True:
			try:
				request = urllib.request.Request(
					f"http://127.0.0.1:{port}/api/method/ping", headers={"Host": site_name()}
				)
				with urllib.request.urlopen(request, timeout=5) as response:
					if response.status == 200:
						break
			except OSError:
				if server.poll() is not None or time.monotonic() > deadline:
					raise RuntimeError("gunicorn did not start; see tests/.reports/gunicorn.log") from None
				time.sleep(0.5)
		yield url
	finally:
		server.terminate()
		server.wait(timeout=30)
		log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator:
	from playwright.sync_api import sync_playwright

	with sync_playwright() as playwright:
		browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
		yield browser
		browser.close()


@pytest.fixture
def page(browser) -> Iterator:
	context = browser.new_context(viewport={"width": 1280, "height": 900})
	page = context.new_page()
	page.set_default_timeout(30_000)
	yield page
	context.close()


@pytest.fixture
def outgoing_mail() -> Iterator[None]:
	"""A default outgoing Email Account (mail stays in Email Queue), removed afterwards if made here."""
	import frappe

	from tests.integration.factories import ensure_outgoing_email_account

	had_account = frappe.db.get_value("Email Account", {"default_outgoing": 1, "enable_outgoing": 1})
	frappe.flags.in_test = True  # lets the test Email Account skip its SMTP connection check
	try:
		email_account = ensure_outgoing_email_account()
	finally:
		frappe.flags.in_test = False
	frappe.db.commit()
	yield
	if not had_account:
		frappe.delete_doc("Email Account", email_account, force=True, ignore_permissions=True)
		frappe.db.commit()
