"""The FastAPI side of the webhook routes: reads the request, runs the handler (plain or async) and
answers the Reply of the shared core (core.py) as a JSONResponse. Handlers import what they need from here."""

import inspect
import time
from typing import Dict, Union

from fastapi import Request
from fastapi.responses import JSONResponse, Response

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


def _response(reply: Reply) -> Response:
    return JSONResponse(status_code=reply.status, content=reply.body, headers=reply.headers or None)


def _headers(request: Request) -> Dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items()}


async def _read_body(request: Request) -> Union[bytes, Reply]:
    """The raw body, or a 413 once it passes the body limit (checked on Content-Length, then while reading)."""
    limit, text = body_limit()
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        return too_large(text)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return too_large(text)
        chunks.append(chunk)
    return b"".join(chunks)


async def _answer(step: Union[Reply, Delivery]) -> Response:
    if isinstance(step, Reply):
        return _response(step)
    try:
        result = step.call()
        if inspect.isawaitable(result):
            result = await result
    except Exception as exc:  # noqa: BLE001 - any handler error is a retryable failure
        return _response(step.failed(exc))
    return _response(step.finish(result))  # type: ignore[arg-type]


async def handle_event(route: EventRoute, request: Request) -> Response:
    """One Hasura event trigger delivery: secret, JSON, schema, dispatch by op, status for Hasura."""
    started = time.perf_counter()
    headers = _headers(request)
    denied = deny(route.secrets, headers, trigger=route.trigger)
    if denied is not None:
        return _response(denied)
    raw = await _read_body(request)
    if isinstance(raw, Reply):
        return _response(rejected(raw, trigger=route.trigger))
    return await _answer(start_event(route, headers, raw, started))


async def handle_cron(route: CronRoute, request: Request) -> Response:
    """One cron delivery: secret, JSON, schema, handler."""
    started = time.perf_counter()
    headers = _headers(request)
    denied = deny(route.secrets, headers, cron=route.cron)
    if denied is not None:
        return _response(denied)
    raw = await _read_body(request)
    if isinstance(raw, Reply):
        return _response(rejected(raw, cron=route.cron))
    return await _answer(start_cron(route, headers, raw, started))


async def handle_external(route: ExternalRoute, request: Request) -> Response:
    """A webhook from another service: signature over the raw body, JSON, handler."""
    started = time.perf_counter()
    raw = await _read_body(request)
    if isinstance(raw, Reply):
        return _response(rejected(raw, webhook=route.webhook))
    return await _answer(start_external(route, _headers(request), raw, started))
