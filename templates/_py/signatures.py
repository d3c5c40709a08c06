"""Signature checks for webhooks from other services, over the raw request body.

The Python twin of nself-hooks' signatures.ts: same rules, same refusals. Nothing here raises on bad
input: every check returns (ok, reason).
"""

import base64
import binascii
import hashlib
import hmac
import re
import time
from typing import Dict, Optional, Tuple, Union

VerifyResult = Tuple[bool, str]
RawBody = Union[bytes, str]

_HEX = re.compile(r"^[0-9a-fA-F]+$")
_B64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
_DIGITS = re.compile(r"^\d{1,12}$")


def _bytes(value: RawBody) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def safe_equal(a: RawBody, b: RawBody) -> bool:
    """Constant time for any lengths: compares sha256 digests of both sides."""
    return hmac.compare_digest(hashlib.sha256(_bytes(a)).digest(), hashlib.sha256(_bytes(b)).digest())


def _hmac(key: bytes, *parts: RawBody) -> bytes:
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(_bytes(part))
    return mac.digest()


def _within(ts: int, tolerance_sec: int, now: Optional[int]) -> bool:
    current = int(time.time()) if now is None else now
    return abs(current - ts) <= tolerance_sec


def verify_stripe(
    body: RawBody, header: Optional[str], secret: str, tolerance_sec: int = 300, now: Optional[int] = None
) -> VerifyResult:
    """Stripe-Signature: t=<unix>,v1=<hex>...; HMAC-SHA256 of "<t>.<body>" keyed by the whole whsec_ secret."""
    if not header:
        return False, "missing Stripe-Signature header"
    if not secret:
        return False, "no signing secret configured"
    timestamp: Optional[str] = None
    signatures = []
    for part in header.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            continue
        key, value = key.strip(), value.strip()
        if key == "t":
            timestamp = value
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not _DIGITS.match(timestamp):
        return False, "Stripe-Signature has no valid timestamp"
    if not signatures:
        return False, "Stripe-Signature has no v1 signature"
    expected = _hmac(secret.encode("utf-8"), timestamp + ".", body)
    matched = any(len(s) == 64 and _HEX.match(s) and safe_equal(bytes.fromhex(s), expected) for s in signatures)
    if not matched:
        return False, "Stripe signature does not match the body"
    if not _within(int(timestamp), tolerance_sec, now):
        return False, "Stripe-Signature timestamp is outside the tolerance"
    return True, ""


def verify_github(body: RawBody, header: Optional[str], secret: str) -> VerifyResult:
    """X-Hub-Signature-256: sha256=<hex>, HMAC-SHA256 of the body."""
    if not header:
        return False, "missing X-Hub-Signature-256 header"
    if not secret:
        return False, "no signing secret configured"
    m = re.match(r"^sha256=([0-9a-fA-F]{64})$", header.strip())
    if not m:
        return False, "X-Hub-Signature-256 is not sha256=<64 hex digits>"
    if not safe_equal(bytes.fromhex(m.group(1)), _hmac(secret.encode("utf-8"), body)):
        return False, "GitHub signature does not match the body"
    return True, ""


def _standard_key(secret: str) -> Optional[bytes]:
    b64 = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    if not b64 or not _B64.match(b64):
        return None
    try:
        key = base64.b64decode(b64 + "=" * (-len(b64) % 4))
    except (binascii.Error, ValueError):
        return None
    return key or None


def verify_standard_webhook(
    body: RawBody,
    msg_id: Optional[str],
    timestamp: Optional[str],
    signature: Optional[str],
    secret: str,
    tolerance_sec: int = 300,
    now: Optional[int] = None,
) -> VerifyResult:
    """Standard Webhooks: HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>", space-separated "v1,<base64>"."""
    if not msg_id or not timestamp or not signature:
        return False, "missing webhook-id, webhook-timestamp or webhook-signature header"
    key = _standard_key(secret)
    if key is None:
        return False, "the signing secret is not whsec_<base64>"
    if not _DIGITS.match(timestamp):
        return False, "webhook-timestamp is not a number of seconds"
    if not _within(int(timestamp), tolerance_sec, now):
        return False, "webhook-timestamp is outside the tolerance"
    expected = _hmac(key, msg_id + "." + timestamp + ".", body)
    for entry in signature.split(" "):
        version, sep, given = entry.partition(",")
        if not sep or version != "v1" or not _B64.match(given):
            continue
        try:
            decoded = base64.b64decode(given + "=" * (-len(given) % 4))
        except (binascii.Error, ValueError):
            continue
        if safe_equal(decoded, expected):
            return True, ""
    return False, "webhook-signature does not match the body"


def verify_hmac_sha256(body: RawBody, header: Optional[str], secret: str) -> VerifyResult:
    """Plain HMAC-SHA256: hex digest of the body in a named header (an optional sha256= prefix is accepted)."""
    if not header:
        return False, "missing signature header"
    if not secret:
        return False, "no signing secret configured"
    value = header.strip()
    if value.lower().startswith("sha256="):
        value = value[len("sha256="):]
    if len(value) != 64 or not _HEX.match(value):
        return False, "signature is not 64 hex digits"
    if not safe_equal(bytes.fromhex(value), _hmac(secret.encode("utf-8"), body)):
        return False, "signature does not match the body"
    return True, ""


def sign_for_test(
    provider: str, body: RawBody, secret: str, signature_header: str, now: Optional[int] = None
) -> Dict[str, str]:
    """Headers that sign `body` the way the provider does, for tests of your own handlers: what the
    verify functions above accept when given the same secret."""
    ts = int(time.time()) if now is None else now
    if provider == "stripe":
        return {signature_header: f"t={ts},v1=" + _hmac(secret.encode("utf-8"), f"{ts}.", body).hex()}
    if provider == "github":
        return {
            signature_header: "sha256=" + _hmac(secret.encode("utf-8"), body).hex(),
            "X-GitHub-Event": "ping",
            "X-GitHub-Delivery": "test-delivery-1",
        }
    if provider == "standard-webhooks":
        msg_id = "msg_test_1"
        key = _standard_key(secret) or secret.encode("utf-8")
        signature = base64.b64encode(_hmac(key, f"{msg_id}.{ts}.", body)).decode("ascii")
        return {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": "v1," + signature}
    return {signature_header: _hmac(secret.encode("utf-8"), body).hex()}
