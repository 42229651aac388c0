"""Signing in to the admin: five wrong passwords in a row for one user name from one address,
and that pair is refused, with a page saying why and for how long, until the cool-off passes."""

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from config.client_ip import client_ip

PASSWORD = "correct horse battery"  # the fixtures' accounts' password


def sign_in(client, username, password, address="127.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def fail(client, username, times, address="127.0.0.1"):
    for _ in range(times):
        sign_in(client, username, "wrong", address)


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    # Before the accounts are made: a real password hash costs half a second a sign-in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_it_refuses_the_right_password_after_five_wrong_ones_and_says_why(client, editor):
    fail(client, "alice", 5)
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins as alice from this address" in page
    assert "Signing in is locked for 15 minutes after the last attempt" in page
    assert "_auth_user_id" not in client.session


def test_it_still_lets_in_after_four_wrong_passwords(client, editor):
    fail(client, "alice", 4)
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_it_locks_only_that_user_name_from_that_address(client, editor, superuser):
    fail(client, "alice", 5)
    assert sign_in(client, "sam", PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "alice", PASSWORD, address="203.0.113.9").status_code == 302


def test_it_lets_in_again_once_the_cool_off_has_passed(client, editor):
    fail(client, "alice", 5)
    before_cool_off = AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=before_cool_off)
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_an_administrator_can_unlock_a_user_name(client, editor):
    fail(client, "alice", 5)
    call_command("axes_reset_username", "alice", stdout=StringIO())
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_a_success_starts_the_count_again(client, editor):
    fail(client, "alice", 4)
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    fail(client, "alice", 4)
    assert sign_in(client, "alice", PASSWORD).status_code == 302


class Request:
    def __init__(self, remote, forwarded=None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    ("remote", "forwarded", "counted"),
    [
        ("127.0.0.1", None, "127.0.0.1"),  # no proxy: whoever connected
        ("127.0.0.1", "198.51.100.7", "198.51.100.7"),  # the proxy says who connected to it
        ("127.0.0.1", "10.9.9.9, 198.51.100.7", "198.51.100.7"),  # what the client wrote does not count
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # only the trusted proxy may say
        ("127.0.0.1", "not an address", "127.0.0.1"),
    ],
)
def test_it_counts_the_address_the_trusted_proxy_saw(settings, remote, forwarded, counted):
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1"]
    assert client_ip(Request(remote, forwarded)) == counted


def test_it_trusts_proxies_by_network(settings):
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.0/8"]
    assert client_ip(Request("10.1.2.3", "198.51.100.7")) == "198.51.100.7"
