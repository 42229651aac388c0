"""The scale benchmark measures every public page: each address of the URL configuration is in
its list, and each page it measures answers."""

import pytest
from django.urls import resolve

from .benchmarks import scale_benchmark
from .test_public_addresses import public_routes


@pytest.mark.django_db
def test_it_measures_every_public_address(seed, client, superuser_client):
    measured = scale_benchmark.pages()
    reached = {resolve(url.split("?")[0]).view_name for _, url, kind in measured if kind != "admin"}
    assert {name for name, _ in public_routes()} - reached == set(), "addresses the benchmark does not measure"
    for name, url, kind in measured:
        response = (superuser_client if kind == "admin" else client).get(url)
        assert response.status_code == 200, f"{name}: {url} answered {response.status_code}"


@pytest.mark.django_db
def test_it_measures_every_whole_download(seed):
    downloads = {url for _, url, kind in scale_benchmark.pages() if kind == "download"}
    exports = {route for name, route in public_routes() if name.endswith(("_csv", "_json")) and "<" not in route}
    assert downloads == exports
