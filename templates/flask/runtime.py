"""The Flask side of the webhook routes: reads the request, runs the handler and answers the Reply of
the shared core (core.py) as JSON. Handlers import what they need from here. Handlers are plain
functions; an async one is run to completion with asyncio.run (Flask serves each request in a thread)."""

import asyncio
import inspect
import json
import time
from typing import Union

from flask import Response, request

from .core import (  # noqa: F401 - re-exported for handlers and payloads
    CronContext,
    CronRoute,
    Delivery,
    EventContext,
    EventRoute,
    ExternalContext,
    ExternalRoute,
    HandlerResult,
    HasuraEvent,
    Outcome,
    Reply,
    deny,
    fail,
    ok,
    body_limit,
    rejected,
    retry,
    retry_after,
    start_cron,
    start_event,
    start_external,
    too_large,
)

_CHUNK = 64 * 1024
# How much more of a refused body is read and dropped so the client gets its 413 instead of a broken
# connection (WSGI servers such as Werkzeug close a socket with unread bytes); beyond it, the socket closes.
_DISCARD_FACTOR = 8


def _response(reply: Reply) -> Response:
    return Response(json.dumps(reply.body), status=reply.status, headers=reply.headers, mimetype="application/json")


def _discard_rest(limit: int, text: str) -> Reply:
    dropped = 0
    while dropped < _DISCARD_FACTOR * limit:
        chunk = request.stream.read(_CHUNK)
        if not chunk:
            break
        dropped += len(chunk)
    return too_large(text)


def _read_body() -> Union[bytes, Reply]:
    """The raw body, or a 413 once it passes the body limit (checked on Content-Length, then while reading);
    a refused body is dropped as it arrives, never kept."""
    limit, text = body_limit()
    length = request.content_length
    if length is not None and length > limit:
        return _discard_rest(limit, text)
    chunks = []
    size = 0
    while True:
        chunk = request.stream.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return _discard_rest(limit, text)
        chunks.append(chunk)


def _answer(step: Union[Reply, Delivery]) -> Response:
    if isinstance(step, Reply):
        return _response(step)
    try:
        result = step.call()
        if inspect.isawaitable(result):
            result = asyncio.run(result)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - any handler error is a retryable failure
        return _response(step.failed(exc))
    return _response(step.finish(result))  # type: ignore[arg-type]


def handle_event(route: EventRoute) -> Response:
    """One Hasura event trigger delivery: secret, JSON, schema, dispatch by op, status for Hasura.
    Header names are looked up as WSGI stores them: case, - and _ do not matter."""
    started = time.perf_counter()
    denied = deny(route.secrets, request.headers, trigger=route.trigger)
    if denied is not None:
        return _response(denied)
    raw = _read_body()
    if isinstance(raw, Reply):
        return _response(rejected(raw, trigger=route.trigger))
    return _answer(start_event(route, request.headers, raw, started))


def handle_cron(route: CronRoute) -> Response:
    """One cron delivery: secret, JSON, schema, handler."""
    started = time.perf_counter()
    denied = deny(route.secrets, request.headers, cron=route.cron)
    if denied is not None:
        return _response(denied)
    raw = _read_body()
    if isinstance(raw, Reply):
        return _response(rejected(raw, cron=route.cron))
    return _answer(start_cron(route, request.headers, raw, started))


def handle_external(route: ExternalRoute) -> Response:
    """A webhook from another service: signature over the raw body, JSON, handler."""
    started = time.perf_counter()
    raw = _read_body()
    if isinstance(raw, Reply):
        return _response(rejected(raw, webhook=route.webhook))
    return _answer(start_external(route, request.headers, raw, started))
