"""What every webhook route shares, whatever the framework: the shared-secret check, body validation,
dispatch, logging and the mapping of outcomes onto Hasura's delivery rules:

- success is 2xx only; every other status is retried while retries remain;
- a Retry-After header (seconds) on a failed response sets the next attempt's delay;
- so a failure that must not be retried answers 200 with {"ok": false, "retry": false}.

Delivery is at least once: use ctx.idempotency_key (the event id) to make handlers idempotent.
Works with pydantic 1.10 and 2. The framework's runtime module reads the request, runs the handler
(plain or async) and turns the Reply into its response; nothing here imports a web framework.
"""

import hashlib
import json
import logging
import math
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Dict, List, Literal, Mapping, Optional, Tuple, Type, Union

from pydantic import BaseModel, Field, ValidationError

from . import signatures

logger = logging.getLogger("webhooks")


@dataclass(frozen=True)
class Outcome:
    kind: str
    reason: str = ""
    seconds: int = 0
    body: Any = None


def ok(body: Any = None) -> Outcome:
    """Done: Hasura marks the event delivered."""
    return Outcome("ok", body=body)


def fail(reason: str) -> Outcome:
    """A permanent failure: answered 200 so Hasura does not retry it; logged as failed."""
    return Outcome("fail", reason=reason)


def retry(reason: str) -> Outcome:
    """A temporary failure: answered 500, Hasura retries after the trigger's interval while retries remain."""
    return Outcome("retry", reason=reason)


def retry_after(seconds: float, reason: str = "retry later") -> Outcome:
    """Try again in `seconds`: answered 503 with Retry-After, honoured by Hasura even when retries are used up."""
    return Outcome("retry-after", reason=reason, seconds=max(1, math.ceil(seconds)))


HandlerResult = Union[Outcome, None, Awaitable[Optional[Outcome]]]


def _log(**fields: Any) -> None:
    line = {"time": datetime.now(timezone.utc).isoformat(), **fields}
    print(json.dumps(line, default=str), flush=True)


@dataclass
class EventContext:
    idempotency_key: str
    event_id: str
    trigger: str
    op: str
    attempt: int
    max_retries: int
    created_at: str
    headers: Mapping[str, str]
    fields: Dict[str, Any] = field(default_factory=dict)

    def log(self, message: str, **extra: Any) -> None:
        _log(level="info", msg=message, **self.fields, **extra)


@dataclass
class CronContext:
    idempotency_key: str
    event_id: str
    cron: str
    scheduled_time: str
    headers: Mapping[str, str]
    fields: Dict[str, Any] = field(default_factory=dict)

    def log(self, message: str, **extra: Any) -> None:
        _log(level="info", msg=message, **self.fields, **extra)


@dataclass
class ExternalContext:
    idempotency_key: str
    provider: str
    webhook: str
    headers: Mapping[str, str]
    raw_body: bytes
    fields: Dict[str, Any] = field(default_factory=dict)

    def log(self, message: str, **extra: Any) -> None:
        _log(level="info", msg=message, **self.fields, **extra)


class TableInfo(BaseModel):
    schema_: str = Field(..., alias="schema")
    name: str


class DeliveryInfo(BaseModel):
    current_retry: int
    max_retries: int


class GeoJsonGeometry(BaseModel):
    """What Hasura sends for a PostGIS geometry or geography column: ST_AsGeoJSON(column, 15, 4), a
    GeoJSON geometry (RFC 7946) with a `crs` member when the SRID is set."""

    type: Literal["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"]
    coordinates: Optional[
        Union[List[float], List[List[float]], List[List[List[float]]], List[List[List[List[float]]]]]
    ] = None
    geometries: Optional[List["GeoJsonGeometry"]] = None
    crs: Optional[Dict[str, Any]] = None
    bbox: Optional[List[float]] = None


# the nested geometries of a GeometryCollection refer to the class itself (pydantic 2 or 1.10)
if hasattr(GeoJsonGeometry, "model_rebuild"):
    GeoJsonGeometry.model_rebuild()
else:
    GeoJsonGeometry.update_forward_refs()


class HasuraEvent(BaseModel):
    """The envelope of every event trigger delivery."""

    id: str
    created_at: str
    table: TableInfo
    delivery_info: DeliveryInfo


@dataclass
class EventRoute:
    trigger: str
    secrets: List[Tuple[str, str]]
    model: Type[BaseModel]
    dispatch: Callable[[Any, EventContext], HandlerResult]
    # retry: { backoff: 'exponential' } in webhooks.config.ts: (interval_sec, max_interval_sec)
    backoff: Optional[Tuple[int, int]] = None


def _backoff_seconds(backoff: Optional[Tuple[int, int]], current_retry: int, max_retries: int) -> Optional[int]:
    """Hasura retries at a fixed interval but honours Retry-After, even past num_retries, so the
    header is only sent while retries remain (docs/retries.md)."""
    if backoff is None or current_retry >= max_retries:
        return None
    interval, cap = backoff
    return max(1, min(cap, round(interval * 2 ** max(0, current_retry))))


@dataclass
class CronRoute:
    cron: str
    secrets: List[Tuple[str, str]]
    # a Union: the scheduled body or a one-off (replayed) body
    model: Any
    handle: Callable[[Any, CronContext], HandlerResult]


@dataclass
class ExternalRoute:
    webhook: str
    provider: str
    secret_env: str
    signature_header: str
    tolerance_sec: int
    handle: Callable[[Any, ExternalContext], HandlerResult]


@dataclass
class Reply:
    """What a route answers: the framework's runtime turns it into its own JSON response."""

    status: int
    body: Any
    headers: Dict[str, str] = field(default_factory=dict)


def _reply(status: int, body: Any, headers: Optional[Dict[str, str]] = None) -> Reply:
    return Reply(status, body, dict(headers or {}))


def _parse_model(model: Any, data: Any) -> Any:
    """A model class or a Union of them (pydantic 2 or 1.10)."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        validate = getattr(model, "model_validate", None)
        return validate(data) if validate is not None else model.parse_obj(data)
    try:
        from pydantic import TypeAdapter  # type: ignore[attr-defined]
    except ImportError:
        from pydantic import parse_obj_as  # type: ignore[attr-defined]

        return parse_obj_as(model, data)
    return TypeAdapter(model).validate_python(data)


def _check_secrets(secrets: List[Tuple[str, str]], headers: Mapping[str, str]) -> Optional[Reply]:
    for header, env in secrets:
        expected = os.environ.get(env, "")
        if not expected:
            # fail closed: a missing env var must not open the route; 500 so Hasura retries once it is fixed
            return _reply(500, {"ok": False, "retry": True, "error": f"{env} is not set in the service environment"})
        if not signatures.safe_equal(headers.get(header.lower()) or "", expected):
            return _reply(401, {"ok": False, "error": f"invalid {header}"})
    return None


_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


def body_limit() -> Tuple[int, str]:
    """The largest body a route reads, in bytes and as written: WEBHOOK_BODY_LIMIT (bytes, or 512kb,
    10mb), 10mb by default; event payloads carry whole rows. The servers themselves set no limit. A
    value that is not a size raises: a typo must not lift the limit."""
    text = os.environ.get("WEBHOOK_BODY_LIMIT", "").strip() or "10mb"
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"WEBHOOK_BODY_LIMIT={text!r} is not a size: use a number of bytes or e.g. 512kb, 10mb")
    return int(float(m.group(1)) * _UNITS[(m.group(2) or "b").lower()]), text


# checked when the routes are imported, so a bad value stops the service at start
body_limit()


def too_large(text: str) -> Reply:
    return _reply(413, {"ok": False, "error": f"body is larger than {text}"})


def _json(raw: bytes) -> Tuple[bool, Any]:
    if not raw:
        return False, _reply(400, {"ok": False, "error": "empty body: expected JSON"})
    try:
        return True, json.loads(raw)
    except ValueError:
        return False, _reply(400, {"ok": False, "error": "body is not valid JSON"})


def _invalid(err: ValidationError) -> Reply:
    issues = [".".join(str(p) for p in e.get("loc", ())) + ": " + str(e.get("msg")) for e in err.errors()[:10]]
    return _reply(400, {"ok": False, "error": "payload does not match the expected shape", "issues": issues})


def _to_reply(outcome: Optional[Outcome]) -> Reply:
    o = outcome or ok()
    if o.kind == "ok":
        return _reply(200, {"ok": True} if o.body is None else {"ok": True, "result": o.body})
    if o.kind == "fail":
        return _reply(200, {"ok": False, "retry": False, "error": o.reason})
    if o.kind == "retry-after":
        return _reply(503, {"ok": False, "retry": True, "error": o.reason}, {"Retry-After": str(o.seconds)})
    return _reply(500, {"ok": False, "retry": True, "error": o.reason})


def rejected(reply: Reply, **fields: Any) -> Reply:
    """Logs a request refused before its handler ran."""
    _log(level="warn", msg="webhook rejected", status=reply.status, reason=json.dumps(reply.body, separators=(",", ":")), **fields)
    return reply


@dataclass
class Delivery:
    """A request that passed its checks: `call()` runs the handler (its result may be awaitable), then
    `finish(result)` or `failed(exc)` gives the reply and logs the outcome."""

    call: Callable[[], HandlerResult]
    fields: Dict[str, Any]
    started: float
    backoff_sec: Optional[int] = None

    def finish(self, result: Optional[Outcome]) -> Reply:
        return self._done(_to_reply(result), None)

    def failed(self, exc: BaseException) -> Reply:
        logger.exception("handler failed", exc_info=exc)
        return self._done(_reply(500, {"ok": False, "retry": True, "error": "handler failed"}), repr(exc))

    def _done(self, reply: Reply, error: Optional[str]) -> Reply:
        if self.backoff_sec is not None and reply.status == 500:
            # a retryable failure without its own Retry-After waits the backoff
            reply = _reply(503, reply.body, {"Retry-After": str(self.backoff_sec)})
        body = reply.body if isinstance(reply.body, dict) else {}
        outcome = ("failed" if body.get("ok") is False else "ok") if reply.status == 200 else "retry"
        _log(
            level="info" if outcome == "ok" else "warn",
            msg="webhook handled",
            **self.fields,
            status=reply.status,
            outcome=outcome,
            **({"error": error} if error else {}),
            duration_ms=round((time.perf_counter() - self.started) * 1000),
        )
        return reply


def deny(secrets: List[Tuple[str, str]], headers: Mapping[str, str], **fields: Any) -> Optional[Reply]:
    """The secret check, before the body is read: a reply when a secret header is missing or wrong."""
    denied = _check_secrets(secrets, headers)
    return rejected(denied, **fields) if denied is not None else None


def start_event(route: EventRoute, headers: Mapping[str, str], raw: bytes, started: float) -> Union[Reply, Delivery]:
    """One Hasura event trigger delivery after its secret check: JSON, schema, then dispatch by op."""
    good, value = _json(raw)
    if not good:
        return rejected(value, trigger=route.trigger)
    try:
        payload = _parse_model(route.model, value)
    except ValidationError as err:
        return rejected(_invalid(err), trigger=route.trigger)
    attempt = payload.delivery_info.current_retry + 1
    fields = {
        "event_id": payload.id,
        "trigger": route.trigger,
        "op": payload.event.op,
        "attempt": attempt,
        "max_retries": payload.delivery_info.max_retries,
    }
    ctx = EventContext(
        idempotency_key=payload.id,
        event_id=payload.id,
        trigger=route.trigger,
        op=payload.event.op,
        attempt=attempt,
        max_retries=payload.delivery_info.max_retries,
        created_at=payload.created_at,
        headers=headers,
        fields=fields,
    )
    backoff_sec = _backoff_seconds(
        route.backoff, payload.delivery_info.current_retry, payload.delivery_info.max_retries
    )
    return Delivery(lambda: route.dispatch(payload, ctx), fields, started, backoff_sec)


def start_cron(route: CronRoute, headers: Mapping[str, str], raw: bytes, started: float) -> Union[Reply, Delivery]:
    """One cron delivery after its secret check: JSON, schema (scheduled or one-off body), handler."""
    good, value = _json(raw)
    if not good:
        return rejected(value, cron=route.cron)
    try:
        payload = _parse_model(route.model, value)
    except ValidationError as err:
        return rejected(_invalid(err), cron=route.cron)
    fields = {"event_id": payload.id, "cron": route.cron, "scheduled_time": payload.scheduled_time}
    ctx = CronContext(
        idempotency_key=payload.id,
        event_id=payload.id,
        cron=route.cron,
        scheduled_time=payload.scheduled_time,
        headers=headers,
        fields=fields,
    )
    return Delivery(lambda: route.handle(payload, ctx), fields, started)


def _verify(route: ExternalRoute, raw: bytes, headers: Mapping[str, str]) -> Tuple[bool, str]:
    secret = os.environ.get(route.secret_env, "")
    if route.provider == "stripe":
        return signatures.verify_stripe(raw, headers.get(route.signature_header), secret, route.tolerance_sec)
    if route.provider == "github":
        return signatures.verify_github(raw, headers.get(route.signature_header), secret)
    if route.provider == "standard-webhooks":
        return signatures.verify_standard_webhook(
            raw,
            headers.get("webhook-id"),
            headers.get("webhook-timestamp"),
            headers.get("webhook-signature"),
            secret,
            route.tolerance_sec,
        )
    return signatures.verify_hmac_sha256(raw, headers.get(route.signature_header), secret)


def _delivery_id(route: ExternalRoute, headers: Mapping[str, str], event: Any, raw: bytes) -> str:
    key: Any = None
    if route.provider == "stripe" and isinstance(event, dict):
        key = event.get("id")
    elif route.provider == "github":
        key = headers.get("x-github-delivery")
    elif route.provider == "standard-webhooks":
        key = headers.get("webhook-id")
    return key if isinstance(key, str) and key else hashlib.sha256(raw).hexdigest()


def start_external(
    route: ExternalRoute, headers: Mapping[str, str], raw: bytes, started: float
) -> Union[Reply, Delivery]:
    """A webhook from another service: signature over the raw body, JSON, handler."""
    if not os.environ.get(route.secret_env):
        reply = _reply(500, {"ok": False, "retry": True, "error": f"{route.secret_env} is not set in the service environment"})
        return rejected(reply, webhook=route.webhook)
    verified, reason = _verify(route, raw, headers)
    if not verified:
        return rejected(_reply(401, {"ok": False, "error": reason}), webhook=route.webhook)
    good, value = _json(raw)
    if not good:
        return rejected(value, webhook=route.webhook)
    key = _delivery_id(route, headers, value, raw)
    fields = {"event_id": key, "webhook": route.webhook, "provider": route.provider}
    ctx = ExternalContext(
        idempotency_key=key, provider=route.provider, webhook=route.webhook, headers=headers, raw_body=raw, fields=fields
    )
    return Delivery(lambda: route.handle(value, ctx), fields, started)
