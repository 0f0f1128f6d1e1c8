"""Which event loop the Django view reads the backend on: the server's under ASGI, one shared loop under WSGI.

It matters for Flowrra's RedisBackend, whose client stays bound to the loop it connected on.
"""

from __future__ import annotations

import asyncio

from apps import ListingBackend, app_on, at, result
from conftest import run
from servers import django_urls

URL = "/flowrra/api/results"


class LoopRecordingBackend(ListingBackend):
    def __init__(self) -> None:
        super().__init__(result("a", "success", finished_at=at(1)))
        self.loops: list[asyncio.AbstractEventLoop] = []

    async def list_by_status(self, status, limit=None, offset=0):
        self.loops.append(asyncio.get_running_loop())
        return await super().list_by_status(status, limit, offset)


def test_under_asgi_the_backend_is_read_on_the_servers_loop():
    backend = LoopRecordingBackend()
    urls = django_urls(app_on(backend))
    from django.test import AsyncClient
    from django.test.utils import override_settings

    async def serve_twice():
        with override_settings(ROOT_URLCONF=urls):
            statuses = [(await AsyncClient().get(URL)).status_code for _ in range(2)]
        return statuses, asyncio.get_running_loop()

    statuses, server_loop = run(serve_twice())
    assert statuses == [200, 200]
    assert backend.loops and all(loop is server_loop for loop in backend.loops)


def test_under_wsgi_every_request_reads_on_one_shared_loop():
    backend = LoopRecordingBackend()
    urls = django_urls(app_on(backend))
    from django.test import Client
    from django.test.utils import override_settings

    with override_settings(ROOT_URLCONF=urls):
        statuses = [Client().get(URL).status_code for _ in range(2)]
    assert statuses == [200, 200]
    loop = backend.loops[0]
    # Seeded once (five statuses), then answered from the index.
    assert len(backend.loops) == 5 and all(other is loop for other in backend.loops)
    # Still running after the requests: a loop per request (asyncio.run) would be closed by now.
    assert loop.is_running() and not loop.is_closed()


def test_a_sync_token_callable_runs_where_the_orm_may_be_used():
    from django.test import AsyncClient, Client
    from django.test.utils import override_settings
    from django.utils.asyncio import async_unsafe

    @async_unsafe  # what Django's ORM guards its queries with: it raises inside an event loop
    def look_up_user(request):
        return request.headers.get("X-User") == "ada"

    urls = django_urls(app_on(LoopRecordingBackend()), token=look_up_user)

    async def over_asgi(user):
        return (await AsyncClient().get(URL, **{"x-user": user})).status_code  # AsyncClient takes header names

    with override_settings(ROOT_URLCONF=urls):
        for user, status in (("ada", 200), ("eve", 401)):
            assert Client().get(URL, HTTP_X_USER=user).status_code == status
            assert run(over_asgi(user)) == status
