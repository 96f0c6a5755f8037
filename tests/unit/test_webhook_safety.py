"""The pure rules around a webhook's destination and timing: which URLs a store may use,
which resolved addresses are refused, `Retry-After`, and signatures during a rotation."""

from __future__ import annotations

import datetime as dt

import pytest
import standardwebhooks

from warehouse.events.rules import RetryPolicy, after_attempt, parse_retry_after
from warehouse.events.signing import webhook_headers
from warehouse.secrets import new_webhook_secret
from warehouse.stores.webhook_urls import destination_problem, url_problem

NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "url",
    ["https://shop.example/hooks", "http://93.184.216.34:8080/x", "https://[2001:4860::8888]/h"],
)
def test_a_public_http_url_is_accepted(url):
    assert url_problem(url, allow_private=False) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/h",
        "http://localhost:9000/h",
        "http://api.localhost/h",
        "http://10.2.3.4/h",
        "http://172.16.0.1/h",
        "http://192.168.0.1/h",
        "http://169.254.169.254/h",
        "http://[::1]/h",
        "http://[fe80::1]/h",
        "http://[::ffff:127.0.0.1]/h",
        "http://0.0.0.0/h",
        "http://239.1.1.1/h",
        "http://100.64.0.1/h",
    ],
)
def test_a_url_into_the_centres_network_is_refused_unless_allowed(url):
    problem = url_problem(url, allow_private=False)
    assert "private address" in problem or "this host" in problem
    assert url_problem(url, allow_private=True) is None


@pytest.mark.parametrize(
    "url", ["ftp://shop.example/h", "shop.example/h", "https://", "http://h:x/"]
)
def test_only_absolute_http_urls_are_webhook_urls(url):
    assert "http(s)" in url_problem(url, allow_private=True)


def test_a_name_resolving_to_any_private_address_is_not_posted_to():
    def resolver(host, port):
        assert (host, port) == ("shop.example", 443)
        return ["93.184.216.34", "10.0.0.1"]

    assert "10.0.0.1" in destination_problem("https://shop.example/h", resolver)


def test_a_name_resolving_to_public_addresses_only_is_posted_to():
    assert destination_problem("http://shop.example/h", lambda _h, _p: ["93.184.216.34"]) is None


def test_a_name_that_does_not_resolve_is_left_for_the_http_client_to_report():
    def resolver(_host, _port):
        raise OSError("no such host")

    assert destination_problem("http://nowhere.example/h", resolver) is None


def test_retry_after_reads_seconds_and_http_dates():
    assert parse_retry_after("120", NOW) == dt.timedelta(seconds=120)
    assert parse_retry_after("Mon, 02 Nov 2026 08:05:00 GMT", NOW) == dt.timedelta(minutes=5)
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_a_retry_after_in_other_digits_or_absurdly_long_is_no_crash():
    assert parse_retry_after("¹", NOW) is None  # "¹".isdigit() is true; int("¹") raises
    assert parse_retry_after("١٢٠", NOW) is None
    assert parse_retry_after("9" * 5000, NOW) == dt.timedelta(seconds=10**9)


def test_a_stores_retry_after_is_honoured_within_the_policys_ceiling():
    policy = RetryPolicy()
    asked = after_attempt(
        attempts_before=0,
        first_attempted_at=None,
        status_code=429,
        error=None,
        now=NOW,
        retry_after=dt.timedelta(seconds=90),
    )
    assert asked.next_attempt_at == NOW + dt.timedelta(seconds=90)
    greedy = after_attempt(
        attempts_before=0,
        first_attempted_at=None,
        status_code=503,
        error=None,
        now=NOW,
        retry_after=dt.timedelta(days=3),
    )
    assert greedy.next_attempt_at == NOW + policy.max_ceiling


def test_during_a_rotation_the_store_verifies_with_either_secret():
    new, old = new_webhook_secret(), new_webhook_secret()
    body = b'{"id":"e1"}'
    timestamp = int(dt.datetime.now(dt.UTC).timestamp())
    headers = webhook_headers(new, "e1", timestamp, body, previous_secret=old)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (new, old):
        standardwebhooks.Webhook(secret).verify(body, headers)
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(new_webhook_secret()).verify(body, headers)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9000/h", "http://localhost:9000/h", "http://[::1]/h", "http://127.0.0.2/h"],
)
def test_a_demo_may_allow_webhooks_to_this_host_only(url):
    assert url_problem(url, allow_private=False, allow_loopback=True) is None
    assert url_problem(url, allow_private=False) is not None  # the default refuses them


@pytest.mark.parametrize(
    "url", ["http://10.2.3.4/h", "http://192.168.0.1/h", "http://169.254.169.254/h"]
)
def test_allowing_this_host_still_refuses_the_rest_of_the_network(url):
    assert "private address" in url_problem(url, allow_private=False, allow_loopback=True)


def test_a_name_resolving_to_this_host_is_posted_to_only_when_this_host_is_allowed():
    def resolver(_host, _port):
        return ["127.0.0.1"]

    url = "http://receiver.example/h"
    assert "private address 127.0.0.1" in destination_problem(url, resolver)
    assert destination_problem(url, resolver, allow_loopback=True) is None
    assert "10.0.0.7" in destination_problem(
        url, lambda _h, _p: ["127.0.0.1", "10.0.0.7"], allow_loopback=True
    )
