"""The figures' downloads (the figures list and an operation's export) and the articles' read
their rows as plain values, not models: each row must say exactly what the row built from model
instances said, for ranges, bounds, copies, origins, misattributions, unicode and empty fields,
and leave out what is not published."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest

from archive.models import Article, Claim, Figure, Origin, Outlet, Person
from archive.origins import FigureOrigins, figure_origins
from archive.views import exports
from archive.views.exports import ARTICLE_COLUMNS, FIGURE_COLUMNS, safe_cell
from archive.views.pages import ArticleList, figure_rows
from archive.views.wording import claim_amount

from . import public_data as make
from .test_download_rows import absolute, slow_json
from .test_public_lists import streamed

pytestmark = pytest.mark.django_db


# The rows as they were built from model instances before the downloads read plain values.
def slow_origin_fields(figure):
    summary = figure_origins(figure.public_claims).get(figure.pk, FigureOrigins())
    return {
        "outlet_count": summary.outlet_count,
        "origin_count": summary.origin_count,
        "origins": summary.origins,
        "transmission_errors": [
            {"origin": error.origin, "claims": [claim.pk for claim in error.claims]}
            for error in summary.transmission_errors
        ],
    }


def slow_csv(figure):
    origins = slow_origin_fields(figure)
    return [
        figure.slug,
        safe_cell(figure.title),
        figure.status,
        figure.measure,
        safe_cell(figure.subject),
        safe_cell(figure.organisation.name),
        figure.operation.slug if figure.operation else "",
        figure.period_start.isoformat() if figure.period_start else "",
        figure.period_end.isoformat() if figure.period_end else "",
        len(figure.public_claims),
        safe_cell("; ".join(f"{claim.article.outlet.name}: {claim_amount(claim)}" for claim in figure.public_claims)),
        " ".join(other.slug for other in figure.public_misattributions),
        origins["outlet_count"],
        origins["origin_count"],
        safe_cell("; ".join(origins["origins"])),
        safe_cell("; ".join(error["origin"] for error in origins["transmission_errors"])),
        absolute(figure.get_absolute_url()),
    ]


def slow_fields(figure):
    return {
        "slug": figure.slug,
        "title": figure.title,
        "status": figure.status,
        "measure": figure.measure,
        "subject": figure.subject,
        "organisation": figure.organisation.name,
        "operation": {"slug": figure.operation.slug, "name": figure.operation.name} if figure.operation else None,
        "period_start": figure.period_start.isoformat() if figure.period_start else None,
        "period_end": figure.period_end.isoformat() if figure.period_end else None,
        "url": absolute(figure.get_absolute_url()),
        "possible_misattributions": [other.slug for other in figure.public_misattributions],
        **slow_origin_fields(figure),
    }


def slow_figure_json(figure):
    claims = [slow_json(claim, absolute, figure=False) for claim in figure.public_claims]
    return {**slow_fields(figure), "claims": claims}


def models_of(slugs):
    """The figures of `slugs`, in that order, loaded as models with what a list row prefetches."""
    found = {figure.slug: figure for figure in figure_rows().filter(slug__in=slugs)}
    return [found[slug] for slug in slugs]


def csv_of(slugs):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FIGURE_COLUMNS)
    writer.writerows(slow_csv(figure) for figure in models_of(slugs))
    return buffer.getvalue()


def slugs_in(text):
    return [row["slug"] for row in csv.DictReader(io.StringIO(text))]


RANGE = "Intro. «Selon le briefing», -adjointe Zoë Ñuñez said between 3,000 and 4,000 tonnes — 象牙 — were seized."


@pytest.fixture
def edge_cases(seed):
    """A figure with a range, bounds, a copy that disagrees with its original, a named origin,
    unicode, formula-like text, unpublished claims and a misattribution to a figure no one may
    see; and a figure with every optional field empty."""
    operation = make.operation(name="Opération Ивори ✓")
    full = make.figure(
        title="=Ivoire saisi — 象牙 ✓",
        subject="+les ports",
        within=operation,
        period_start=date(2019, 1, 1),
        period_end=date(2019, 12, 31),
    )
    briefing = Origin.objects.create(slug="briefing", name="@Le briefing", kind=Origin.Kind.EVENT)
    ranged = make.claim(
        make.article(RANGE, source=make.outlet("Le Monde — Édition"), published_on=None),
        full,
        "between 3,000 and 4,000 tonnes",
        3000,
        value_high=4000,
        speaker=Person.objects.create(name="Zoë Ñuñez"),
        speaker_title="-adjointe",
        origin=briefing,
        origin_words="«Selon le briefing»",
    )
    about = make.claim(make.article("They seized about 3,500 t."), full, "about 3,500 t", 3500, bound="about")
    more = make.claim(
        make.article("At the briefing, officials seized more than 1,500.5 t.", published_on=date(2020, 3, 1)),
        full,
        "more than 1,500.5 t",
        Decimal("1500.5"),
        bound="more_than",
        origin=briefing,
        origin_words="At the briefing",
        stated_on=date(2020, 2, 20),
    )
    original = make.article("Customs seized 1,238 tons.", source=make.outlet("Global Example"))
    make.claim(original, full, "seized 1,238 tons", 1238)
    mirror = Outlet.objects.create(slug="mirror-site", name="Mirror site")
    copy = Article.objects.create(
        outlet=mirror, title="Mirror", body="Customs seized 12,380 tons.", status="published", copy_of=original
    )
    make.claim(copy, full, "seized 12,380 tons", 12380)
    draft = make.claim(make.article("They seized 99 t."), full, "seized 99 t", 99, status="draft")
    hidden = make.claim(make.article("They seized 98 t.", status="draft"), full, "seized 98 t", 98)
    empty = make.figure(title="Plain figure", subject="")
    make.claim(make.article("Police seized 12 t.", published_on=None), empty, "Police seized 12 t", 12)
    unseen = make.figure(title="A figure with no published claim")
    public = Figure.objects.filter(source_count__gt=0).exclude(pk__in=[full.pk, empty.pk]).first()
    full.possible_misattributions.add(public, unseen)  # after the claims: a claim's save derives them afresh
    return {
        "operation": operation,
        "full": full,
        "empty": empty,
        "public": public,
        "published": [ranged, about, more],
        "unpublished": [draft, hidden],
    }


URLS = ["/figures.csv", "/figures.csv?page=1", "/figures.csv?q=ivoire", "/operations/{operation}.csv"]


@pytest.mark.parametrize("url", URLS)
def test_a_figures_csv_is_byte_for_byte_the_rows_built_from_models(client, edge_cases, url):
    text = streamed(client.get(url.format(operation=edge_cases["operation"].slug)))
    slugs = slugs_in(text)
    assert edge_cases["full"].slug in slugs
    assert text == csv_of(slugs)


@pytest.mark.parametrize(
    ("url", "key"),
    [("/figures.json", "results"), ("/figures.json?page=1", "results"), ("/operations/{operation}.json", "figures")],
)
def test_a_figures_json_is_the_rows_built_from_models(client, edge_cases, url, key):
    rows = json.loads(streamed(client.get(url.format(operation=edge_cases["operation"].slug))))[key]
    assert rows
    assert rows == [slow_figure_json(figure) for figure in models_of([row["slug"] for row in rows])]


def test_a_figure_s_own_json_is_its_record_built_from_models(client, edge_cases):
    figure = edge_cases["full"]
    data = json.loads(streamed(client.get(f"/figures/{figure.slug}.json")))
    del data["licence"]
    assert data == slow_figure_json(*models_of([figure.slug]))


def test_the_figures_csv_holds_the_edge_cases_and_leaves_out_what_is_not_public(client, edge_cases):
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(streamed(client.get("/figures.csv"))))}
    full, empty = rows[edge_cases["full"].slug], rows[edge_cases["empty"].slug]
    assert (full["title"], full["subject"], full["operation"]) == (
        "'=Ivoire saisi — 象牙 ✓",
        "'+les ports",
        edge_cases["operation"].slug,
    )
    assert (full["period_start"], full["period_end"], full["claims"]) == ("2019-01-01", "2019-12-31", "5")
    assert full["values"] == (
        "Mirror site: 12,380 t; Daily Example: about 3,500 t; Le Monde — Édition: 3,000–4,000 t; "
        "Daily Example: more than 1,500.5 t; Global Example: 1,238 t"
    )
    assert full["possible_misattributions"] == edge_cases["public"].slug
    assert full["origins"].startswith("'@Le briefing; ") and full["transmission_errors"]
    assert (empty["subject"], empty["operation"], empty["period_start"], empty["possible_misattributions"]) == (
        "",
        "",
        "",
        "",
    )
    assert "a-figure-with-no-published-claim" not in rows


def test_the_figures_json_lists_only_published_claims(client, edge_cases):
    rows = json.loads(streamed(client.get("/figures.json")))["results"]
    (full,) = [row for row in rows if row["slug"] == edge_cases["full"].slug]
    listed = {claim["id"] for claim in full["claims"]}
    assert {claim.pk for claim in edge_cases["published"]} <= listed
    assert not listed & {claim.pk for claim in edge_cases["unpublished"]}
    assert [error["origin"] for error in full["transmission_errors"]] == [
        "the article in Global Example and its copies"
    ]


@pytest.mark.parametrize("url", ["/figures.csv", "/figures.json", "/operations/{operation}.csv"])
def test_a_figures_download_builds_no_claim_from_a_model(client, edge_cases, monkeypatch, url):
    built = []
    from_db = Claim.from_db.__func__
    monkeypatch.setattr(Claim, "from_db", classmethod(lambda cls, *args: built.append(args) or from_db(cls, *args)))
    assert edge_cases["full"].slug in streamed(client.get(url.format(operation=edge_cases["operation"].slug)))
    assert built == []


def test_a_figures_download_streams_in_chunks_with_the_same_rows(client, edge_cases, monkeypatch):
    whole = streamed(client.get("/figures.csv"))
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    chunks = list(client.get("/figures.csv?sort=title").streaming_content)
    rows = len(slugs_in(whole))
    assert rows > 10 and len(chunks) >= rows // 2
    assert sorted(b"".join(chunks).decode().splitlines()) == sorted(whole.splitlines())


def slow_article_csv(article):
    return [
        article.slug,
        safe_cell(article.title),
        safe_cell(article.outlet.name),
        article.published_on.isoformat() if article.published_on else "",
        safe_cell(article.byline),
        article.language,
        article.claim_count,
        article.url,
        absolute(article.get_absolute_url()),
    ]


def slow_article_json(article):
    return {
        "slug": article.slug,
        "title": article.title,
        "url": article.url,
        "archive_url": absolute(article.get_absolute_url()),
        "outlet": article.outlet.name,
        "published_on": article.published_on.isoformat() if article.published_on else None,
        "byline": article.byline,
        "language": article.language,
        "claim_count": article.claim_count,
    }


def articles_of(slugs):
    found = {article.slug: article for article in ArticleList().rows().filter(slug__in=slugs)}
    return [found[slug] for slug in slugs]


@pytest.mark.parametrize("url", ["/articles.csv", "/articles.csv?page=1", "/articles.csv?outlet=le-monde-edition"])
def test_an_articles_csv_is_byte_for_byte_the_rows_built_from_models(client, edge_cases, url):
    Article.objects.filter(title="Mirror").update(title="=Miroir — 象牙", byline="@Zoë")
    text = streamed(client.get(url))
    slugs = slugs_in(text)
    assert slugs and "le-monde-edition" in {article.outlet.slug for article in articles_of(slugs)}
    buffer = io.StringIO()
    csv.writer(buffer).writerows([ARTICLE_COLUMNS, *(slow_article_csv(article) for article in articles_of(slugs))])
    assert text == buffer.getvalue()
    assert not set(slugs) & set(Article.objects.exclude(status="published").values_list("slug", flat=True))


@pytest.mark.parametrize("url", ["/articles.json", "/articles.json?page=1"])
def test_an_articles_json_is_the_rows_built_from_models(client, edge_cases, url):
    rows = json.loads(streamed(client.get(url)))["results"]
    assert rows == [slow_article_json(article) for article in articles_of([row["slug"] for row in rows])]


@pytest.mark.parametrize("url", ["/articles.csv", "/articles.json"])
def test_an_articles_download_builds_no_article_from_a_model(client, edge_cases, monkeypatch, url):
    built = []
    from_db = Article.from_db.__func__
    monkeypatch.setattr(Article, "from_db", classmethod(lambda cls, *args: built.append(args) or from_db(cls, *args)))
    assert "Le Monde — Édition" in streamed(client.get(url))
    assert built == []


@pytest.mark.parametrize("url", ["/operations.csv", "/operations.json", "/operations/{operation}.json"])
def test_an_operations_address_is_built_once_per_download(client, edge_cases, monkeypatch, url):
    calls = []
    reverse = exports.reverse
    monkeypatch.setattr(exports, "reverse", lambda *args, **kwargs: calls.append(args) or reverse(*args, **kwargs))
    streamed(client.get(url.format(operation=edge_cases["operation"].slug)))
    assert [name for name, *_ in calls].count("archive:operation_detail") == 1
