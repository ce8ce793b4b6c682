"""Frappe's realtime server and an RQ worker for the e2e tests, both on loopback, for the whole session.

Pages that must see live updates (`frappe.publish_progress`, `frappe.publish_realtime`) open the site on
`realtime_url`: one port where /socket.io/ reaches Frappe's socket.io server and everything else reaches
the gunicorn of `base_url`, as nginx arranges it in production. The site's config is left alone.

The worker serves the bench's `long`, `default` and `short` queues, like `bench worker`. Tests that ask
for it run after all the others (see conftest), because earlier tests take their own jobs off the queue
by hand and a live worker would race them.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.site import BENCH, site_name

SERVER = Path(__file__).parent / "server"
REPORTS = Path(__file__).resolve().parents[1] / ".reports"
WORKER_QUEUES = "long,default,short"


def free_port() -> int:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


def wait_until(ready: Callable[[], bool], process: subprocess.Popen, what: str, timeout: float = 60) -> None:
	"""Poll `ready` until it is true; fail early when the process has died, or after `timeout` seconds."""
	deadline = time.monotonic() + timeout
	while not ready():
		if process.poll() is not None or time.monotonic() > deadline:
			raise RuntimeError(f"{what} did not start; see tests/.reports")
		time.sleep(0.3)


def start(command: list[str], log_name: str, **kwargs: Any) -> tuple[subprocess.Popen, Any]:
	"""Start a server in a process group of its own (an RQ worker forks a child per job); returns
	the process and its log file under tests/.reports."""
	REPORTS.mkdir(exist_ok=True)
	log = open(REPORTS / log_name, "w")
	process = subprocess.Popen(
		command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
	)
	return process, log


def stop(process: subprocess.Popen) -> None:
	"""SIGTERM (an RQ worker finishes its job first), then SIGKILL for the group it started."""
	process.terminate()
	try:
		process.wait(timeout=30)
	except subprocess.TimeoutExpired:
		os.killpg(process.pid, signal.SIGKILL)
		process.wait(timeout=10)


def listening_addresses(port: int) -> set[str]:
	"""The local addresses on which a TCP socket listens on `port` (from /proc, IPv4 and IPv6)."""
	addresses = set()
	for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
		try:
			lines = Path(table).read_text().splitlines()[1:]
		except OSError:
			continue
		for line in lines:
			local, _remote, state = line.split()[1:4]
			address, hex_port = local.split(":")
			if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
				continue
			raw = bytes.fromhex(address)
			# /proc prints each 32-bit word in host (little-endian) order.
			raw = b"".join(raw[i : i + 4][::-1] for i in range(0, width // 2, 4))
			family = socket.AF_INET if width == 8 else socket.AF_INET6
			addresses.add(socket.inet_ntop(family, raw))
	return addresses


def _handshake(port: int) -> bool:
	try:
		with urllib.request.urlopen(
			f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling", timeout=5
		) as response:
			return response.status == 200
	except OSError:
		return False


@pytest.fixture(scope="session")
def realtime_url(base_url: str) -> Iterator[str]:
	"""The site on a loopback port served by Frappe's socket.io server, which passes the rest to gunicorn."""
	node = shutil.which("node")
	if not node:
		pytest.skip("node is not installed: Frappe's realtime server cannot run")
	port = free_port()
	server, log = start(
		[node, str(SERVER / "realtime.js")],
		"realtime.log",
		cwd=BENCH,
		env={
			**os.environ,
			"FRAPPE_BENCH_ROOT": str(BENCH),
			"FRAPPE_SOCKETIO_PORT": str(port),
			"E2E_UPSTREAM_PORT": str(urlsplit(base_url).port),
		},
	)
	try:
		wait_until(lambda: _handshake(port), server, "the realtime server")
		yield f"http://{site_name()}:{port}"
	finally:
		stop(server)
		log.close()


def _worker_registered(pid: int) -> bool:
	from rq import Worker

	from frappe.utils.background_jobs import get_redis_conn

	return any(worker.pid == pid for worker in Worker.all(connection=get_redis_conn()))


@pytest.fixture(scope="session")
def worker() -> Iterator[subprocess.Popen]:
	"""`bench worker --queue long,default,short` in the bench's environment, which runs this checkout.

	Like every bench worker it serves the bench's queues, so it also runs what other sites queued.
	"""
	process, log = start(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "worker", "--queue", WORKER_QUEUES],
		"worker.log",
		cwd=BENCH / "sites",
	)
	try:
		wait_until(lambda: _worker_registered(process.pid), process, "the RQ worker")
		yield process
	finally:
		stop(process)
		log.close()


def wait_for_job(job: Any, timeout: float = 240) -> str:
	"""Wait until an RQ job has run; returns its final status ('finished' or 'failed').

	Generous: the worker may first finish jobs earlier tests left on the queue (a search index build
	queued by a migrate takes a minute or more).
	"""
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		status = job.get_status(refresh=True)
		status = str(getattr(status, "value", status))
		if status in ("finished", "failed", "stopped", "canceled"):
			return status
		time.sleep(0.3)
	raise TimeoutError(f"job {job.id} is still {job.get_status(refresh=True)} after {timeout}s")
