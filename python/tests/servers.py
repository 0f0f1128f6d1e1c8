"""Each framework's app with the endpoint mounted at /flowrra, behind one `get` for the tests."""

from __future__ import annotations

import asyncio
import json
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conftest import require, run


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Get = Callable[..., Answer]


def _answer(status: int, headers: Any, body: bytes) -> Answer:
    return Answer(status, {name.lower(): value for name, value in headers.items()}, body)


def fastapi_app(flowrra: Any, *, with_flowrra_ui: bool = False, **options: Any) -> Get:
    fastapi = require("fastapi", "python3-fastapi")
    require("httpx", "python3-httpx")
    from fastapi.testclient import TestClient

    import flowrra_live.fastapi

    app = fastapi.FastAPI()
    if with_flowrra_ui:
        from flowrra.ui.fastapi import create_router

        app.include_router(create_router(flowrra), prefix="/flowrra")
    app.include_router(flowrra_live.fastapi.create_router(flowrra, **options), prefix="/flowrra")
    client = TestClient(app)

    def get(path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Answer:
        response = client.request(method, path, headers=headers or {}, follow_redirects=False)
        return _answer(response.status_code, response.headers, response.content)

    return get


def quart_app(flowrra: Any, *, with_flowrra_ui: bool = False, **options: Any) -> Get:
    quart = require("quart", "python3-quart")
    import flowrra_live.quart

    app = quart.Quart(__name__)
    if with_flowrra_ui:
        from flowrra.ui.flask import create_blueprint

        app.register_blueprint(create_blueprint(flowrra), url_prefix="/flowrra")
    app.register_blueprint(flowrra_live.quart.create_blueprint(flowrra, **options), url_prefix="/flowrra")

    def get(path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Answer:
        # Straight through ASGI, not Quart's test client: that rebuilds the response and labels
        # one without a Content-Type text/html, hiding what the server sent.
        return run(asgi_request(app, path, headers or {}, method))

    return get


async def asgi_request(app: Any, path: str, headers: dict[str, str], method: str = "GET") -> Answer:
    """One HTTP request to an ASGI app, answered as it would go on the wire."""
    path, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"testserver"), *((name.lower().encode(), value.encode()) for name, value in headers.items())],
        "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "extensions": {},
    }
    sent: list[dict] = []
    requested = False
    done = asyncio.Event()

    async def receive() -> dict:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()  # the client stays until the answer is complete
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return _answer(start["status"], {name.decode(): value.decode() for name, value in start["headers"]}, body)


def flask_app(flowrra: Any, *, with_flowrra_ui: bool = False, **options: Any) -> Get:
    flask = require("flask", "python3-flask")
    import flowrra_live.flask

    app = flask.Flask(__name__)
    if with_flowrra_ui:
        from flowrra.ui.flask import create_blueprint

        # Flowrra 0.1.8's blueprint registers a websocket route, which plain Flask refuses (a TypeError).
        app.register_blueprint(create_blueprint(flowrra), url_prefix="/flowrra")
    app.register_blueprint(flowrra_live.flask.create_blueprint(flowrra, **options), url_prefix="/flowrra")
    client = app.test_client()

    def get(path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Answer:
        response = client.open(path, method=method, headers=headers or {})
        return _answer(response.status_code, response.headers, response.get_data())

    return get


def configure_django() -> None:
    """The least settings Django's test clients need; each test sets ROOT_URLCONF itself."""
    django = require("django", "python3-django")
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            SECRET_KEY="flowrra-live-tests",
            ALLOWED_HOSTS=["testserver"],
            ROOT_URLCONF="flowrra_live_tests_unset",
            MIDDLEWARE=[],
            INSTALLED_APPS=[],
        )
        django.setup()


def django_urls(flowrra: Any, *, with_flowrra_ui: bool = False, **options: Any) -> types.ModuleType:
    """A URLconf with the endpoint at /flowrra/, for `override_settings(ROOT_URLCONF=...)`.

    A module object rather than a file, so that each test mounts its own app and options.
    """
    configure_django()
    from django.urls import include, path

    import flowrra_live.django

    urls = types.ModuleType("flowrra_live_test_urls")
    urls.urlpatterns = [path("flowrra/", include(flowrra_live.django.get_urls(flowrra, **options)))]
    if with_flowrra_ui:
        from flowrra.ui.django import get_urls

        urls.urlpatterns.append(path("flowrra/", include(get_urls(flowrra))))
    return urls


def django_app(flowrra: Any, *, with_flowrra_ui: bool = False, **options: Any) -> Get:
    urls = django_urls(flowrra, with_flowrra_ui=with_flowrra_ui, **options)
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()

    def get(path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Answer:
        meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in (headers or {}).items()}
        with override_settings(ROOT_URLCONF=urls):
            response = client.generic(method, path, **meta)
        return _answer(response.status_code, response.headers, response.content)

    return get


FRAMEWORKS: dict[str, Callable[..., Get]] = {
    "fastapi": fastapi_app,
    "quart": quart_app,
    "django": django_app,
    "flask": flask_app,
}
