"""What the server log says about a request it refused or failed."""

import logging
from unittest import mock

import pytest


@pytest.fixture
def client_without_raising(client):
    client.raise_request_exception = False
    return client


def test_it_logs_a_refused_request_in_one_line_without_a_traceback(client, staff_without_permissions, caplog):
    client.force_login(staff_without_permissions)
    assert client.get("/admin/auth/user/").status_code == 403
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert caplog.text.splitlines()[-1].endswith("Forbidden (Permission denied): /admin/auth/user/ (GET by bob, 403)")
    assert "Traceback" not in caplog.text


def test_it_logs_a_server_error_with_its_traceback(client_without_raising, db, caplog):
    with mock.patch("archive.health.connection.cursor", side_effect=RuntimeError("broken")):
        assert client_without_raising.get("/healthz").status_code == 500
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert record.levelno == logging.ERROR
    assert "Traceback" in caplog.text
    assert "RuntimeError: broken" in caplog.text


def test_it_leaves_the_development_servers_own_lines_alone():
    """`runserver` logs each request with its socket as `request`, which has no method."""
    from config.log_filters import ClientErrorsInOneLine

    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"GET / HTTP/1.1" 200 512', (), None)
    record.status_code, record.request = 200, object()
    assert ClientErrorsInOneLine().filter(record)
    assert record.getMessage() == '"GET / HTTP/1.1" 200 512'
