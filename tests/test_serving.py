"""gunicorn serves the application as `make serve` and docs/deploy.md start it: debug off, config file."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_gunicorn_serves_the_health_check_with_debug_off(tmp_path):
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY="k3y-" + "x9Y!" * 15,
        DATABASE_URL=f"sqlite:///{tmp_path / 'serving.sqlite3'}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
    )
    # No control socket: it lives in the home folder and would take over a running server's.
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "--no-control-socket", "config.wsgi"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = fetch(port, "/healthz")
                break
            except OSError:
                assert server.poll() is None, server.communicate()[1].decode()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 seconds"
                time.sleep(0.2)
        assert (status, body) == (200, '{"status": "ok", "database": "ok"}')
        status, body = fetch(port, "/no-such-page/")
        assert status == 404
        # The archive's page (or, with no static files collected, its plain text), not the debug page.
        assert "not found" in body.lower() and "URLconf" not in body
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
