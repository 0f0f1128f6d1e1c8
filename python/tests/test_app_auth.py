"""The README's recipes for putting the mount behind the app's own authentication, per framework."""

import types

from apps import ListingBackend, app_on, at, result
from conftest import require, run

URL = "/flowrra/api/results"


def flowrra_app():
    return app_on(ListingBackend(result("private", "success", result="s3cr3t", finished_at=at(1))))


# No `from __future__ import annotations` here: FastAPI reads the dependency's annotation at runtime.
def test_fastapi_dependency_on_include_router():
    fastapi = require("fastapi", "python3-fastapi")
    from fastapi.testclient import TestClient

    import flowrra_live

    def signed_in(request: fastapi.Request) -> None:
        if request.headers.get("X-User") != "ada":
            raise fastapi.HTTPException(status_code=401)

    app = fastapi.FastAPI()
    router = flowrra_live.fastapi.create_router(flowrra_app())
    app.include_router(router, prefix="/flowrra", dependencies=[fastapi.Depends(signed_in)])
    client = TestClient(app)
    for path in (URL, URL + "/"):
        refused = client.get(path, follow_redirects=False)
        assert refused.status_code == 401 and b"s3cr3t" not in refused.content
        assert client.get(path, headers={"X-User": "ada"}).json()[0]["result"] == "s3cr3t"


def test_quart_before_request_on_the_blueprint():
    quart = require("quart", "python3-quart")
    import flowrra_live

    blueprint = flowrra_live.quart.create_blueprint(flowrra_app())

    @blueprint.before_request
    async def signed_in():
        if quart.request.headers.get("X-User") != "ada":
            return {"detail": "Not authenticated"}, 401

    app = quart.Quart(__name__)
    app.register_blueprint(blueprint, url_prefix="/flowrra")

    async def fetch(headers):
        response = await app.test_client().get(URL, headers=headers)
        return response.status_code, await response.get_data()

    status, body = run(fetch({}))
    assert status == 401 and b"s3cr3t" not in body
    assert run(fetch({"X-User": "ada"}))[0] == 200


def test_django_decorator_on_each_pattern():
    from servers import configure_django

    configure_django()

    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path

    import flowrra_live

    def signed_in(view):
        def wrapped(request, *args, **kwargs):
            if request.headers.get("X-User") != "ada":
                return HttpResponse(status=401)
            return view(request, *args, **kwargs)

        return wrapped

    live_urls = flowrra_live.django.get_urls(flowrra_app())
    for pattern in live_urls:
        pattern.callback = signed_in(pattern.callback)
    urls = types.ModuleType("recipe_urls")
    urls.urlpatterns = [path("flowrra/", include(live_urls))]
    with override_settings(ROOT_URLCONF=urls):
        for path_ in (URL, URL + "/"):
            refused = Client().get(path_)
            assert refused.status_code == 401 and b"s3cr3t" not in refused.content
            assert Client().get(path_, HTTP_X_USER="ada").json()[0]["result"] == "s3cr3t"
