"""Lists that must keep step with the URL configuration: the README's table of public addresses,
and the pages the browser tests visit (tests/public_pages.py)."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from .public_pages import ERRORS, public_paths

README = Path(__file__).resolve().parent.parent / "README.md"
# The editors' admin is described in its own README section, and the health check, for the load
# balancer, in docs/deploy.md.
NOT_PUBLIC = {"admin", "healthz"}


def public_routes(patterns=None, prefix="/", namespace=""):
    """(name, address) of every public URL pattern, the address as the README writes it:
    `/figures/<slug>/`."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            if pattern.namespace not in NOT_PUBLIC:
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from public_routes(pattern.url_patterns, prefix + route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name not in NOT_PUBLIC:
            yield f"{namespace}{pattern.name}", prefix + route


def readme_addresses():
    """Every address in the first column of the README's table of public addresses, without its query."""
    section = README.read_text().split("## Public site", 1)[1].split("\n## ", 1)[0]
    cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {address.split("?")[0] for cell in cells for address in re.findall(r"`([^`]+)`", cell)}


def test_it_lists_every_public_address_in_the_readme():
    routes = {address for _, address in public_routes()}
    assert routes - readme_addresses() == set(), "addresses missing from the README's table"
    assert readme_addresses() - routes == set(), "addresses in the README's table that the site does not have"


@pytest.mark.django_db
def test_the_browser_tests_visit_every_page_of_the_url_configuration(seed, client):
    """A page is an address that answers HTML; the data (CSV, JSON) and feeds (XML) are not pages."""
    visited = {resolve(path.split("?")[0]).view_name for path in public_paths() if path not in ERRORS}
    slugs = [
        slug
        for model in apps.get_app_config("archive").get_models()
        if any(field.name == "slug" for field in model._meta.fields)
        for slug in model.objects.values_list("slug", flat=True)
    ]
    pages = set()
    for name, address in public_routes():
        params = re.findall(r"<(\w+)>", address)
        assert set(params) <= {"slug"}, f"{name}: the test knows no example of {params}"
        examples = [reverse(name, kwargs={"slug": slug}) for slug in slugs] if params else [reverse(name)]
        for example in examples:
            response = client.get(example)
            if response.status_code == 200:
                if response["Content-Type"].startswith("text/html"):
                    pages.add(name)
                break
        else:
            pytest.fail(f"{name}: no example answers 200")
    assert pages - visited == set(), "pages the browser tests do not visit: add them to tests/public_pages.py"
