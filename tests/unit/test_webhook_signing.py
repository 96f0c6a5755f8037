"""Webhooks are signed as the Standard Webhooks specification says, so stores can use any
of its libraries to verify them."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from warehouse.events.signing import signature, webhook_headers
from warehouse.secrets import new_webhook_secret

# The specification's published test vector (standard-webhooks, libraries' sign tests).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_signature_matches_the_specifications_test_vector():
    assert signature(SPEC_SECRET, SPEC_MSG_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_a_secret_without_its_whsec_prefix_signs_the_same():
    bare = SPEC_SECRET.removeprefix("whsec_")
    assert signature(bare, SPEC_MSG_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


@pytest.mark.parametrize(
    ("msg_id", "timestamp", "body"),
    [
        ("msg_other", SPEC_TIMESTAMP, SPEC_BODY),
        (SPEC_MSG_ID, SPEC_TIMESTAMP + 1, SPEC_BODY),
        (SPEC_MSG_ID, SPEC_TIMESTAMP, b'{"test": 2432232315}'),
    ],
)
def test_changing_the_id_the_timestamp_or_one_byte_of_the_body_changes_the_signature(
    msg_id, timestamp, body
):
    assert signature(SPEC_SECRET, msg_id, timestamp, body) != SPEC_SIGNATURE


def test_the_headers_carry_the_event_id_the_timestamp_and_a_signature_over_the_exact_body():
    secret = new_webhook_secret()
    body = '{"type":"return.received","data":{"title":"纯棉T恤"}}'.encode()
    headers = webhook_headers(secret, "0190e1c2-aaaa-7bbb-8ccc-123456789abc", 1795000000, body)
    assert headers["webhook-id"] == "0190e1c2-aaaa-7bbb-8ccc-123456789abc"
    assert headers["webhook-timestamp"] == "1795000000"
    assert headers["content-type"] == "application/json"
    # Verified the way a store would, from the spec's wording alone.
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = b"0190e1c2-aaaa-7bbb-8ccc-123456789abc.1795000000." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
