"""The claims' downloads read plain values, not models: each row must say exactly what a row
built from the claim's model instances says, for every optional field, and a download streams
a chunk at a time at a fixed number of queries however many rows it holds."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.models import Prefetch

from archive.claim_dates import stated_date
from archive.filters import public_figures
from archive.models import Claim, Figure, Origin, Person
from archive.views import exports
from archive.views.exports import CLAIM_COLUMNS, base_unit_of, iso, number, plain, safe_cell

from . import public_data as make
from .test_public_lists import streamed
from .test_public_queries import count_queries, grow

BODY = (
    "Intro. =According to the briefing, @Li, +director of customs, said between 3,000 and 4,000 "
    "tonnes were seized. Outro."
)


# The rows as they were built from model instances before the downloads read plain values.
def slow_csv(claim, absolute):
    return [
        claim.pk,
        claim.figure.slug,
        safe_cell(claim.figure.title),
        claim.figure.status,
        plain(claim.value),
        "" if claim.value_high is None else plain(claim.value_high),
        claim.unit,
        claim.bound,
        safe_cell(claim.value_printed),
        plain(claim.normalised_value),
        "" if claim.normalised_high is None else plain(claim.normalised_high),
        base_unit_of(claim.unit),
        safe_cell(claim.quote),
        safe_cell(claim.speaker.name) if claim.speaker else "",
        safe_cell(claim.speaker_title),
        safe_cell(claim.origin.name) if claim.origin else "",
        safe_cell(claim.origin_words),
        safe_cell(claim.article.outlet.name),
        claim.article.slug,
        safe_cell(claim.article.title),
        claim.article.url,
        claim.article.published_on.isoformat() if claim.article.published_on else "",
        iso(stated_date(claim)),
        absolute(f"{claim.article.get_absolute_url()}#claim-{claim.pk}"),
        " ".join(other.slug for other in claim.figure.public_misattributions),
    ]


def slow_json(claim, absolute, figure=True):
    row = {
        "id": claim.pk,
        "value": number(claim.value),
        "value_high": None if claim.value_high is None else number(claim.value_high),
        "unit": claim.unit,
        "bound": claim.bound,
        "value_printed": claim.value_printed,
        "normalised_value": number(claim.normalised_value),
        "normalised_high": None if claim.normalised_high is None else number(claim.normalised_high),
        "normalised_unit": base_unit_of(claim.unit),
        "quote": claim.quote,
        "quote_url": absolute(f"{claim.article.get_absolute_url()}#claim-{claim.pk}"),
        "speaker": claim.speaker.name if claim.speaker else None,
        "speaker_title": claim.speaker_title,
        "origin": claim.origin.name if claim.origin else None,
        "origin_words": claim.origin_words,
        "stated_on": iso(stated_date(claim)) or None,
        "article": {
            "slug": claim.article.slug,
            "title": claim.article.title,
            "url": claim.article.url,
            "archive_url": absolute(claim.article.get_absolute_url()),
            "outlet": claim.article.outlet.name,
            "published_on": claim.article.published_on.isoformat() if claim.article.published_on else None,
        },
    }
    if figure:
        row["figure"] = {
            "slug": claim.figure.slug,
            "title": claim.figure.title,
            "status": claim.figure.status,
            "url": absolute(claim.figure.get_absolute_url()),
            "possible_misattributions": [other.slug for other in claim.figure.public_misattributions],
        }
    return row


def absolute(path):
    return f"http://testserver{path}"


def models_of(ids):
    """The claims of `ids`, in that order, loaded as models."""
    hints = Prefetch(
        "figure__possible_misattributions",
        queryset=public_figures().order_by("title", "pk"),
        to_attr="public_misattributions",
    )
    claims = Claim.objects.select_related("article__outlet", "figure", "speaker", "origin").prefetch_related(hints)
    found = claims.in_bulk(ids)
    return [found[pk] for pk in ids]


@pytest.fixture
def every_field(seed):
    """Claims with every optional field filled, and as empty as allowed: a range, a speaker with a
    title, an origin, formula-like text, no article date, an own statement date, misattributions."""
    figure = make.figure(title="=SUM(A1) waste seized")
    other = make.sourced_figure([3000], title="Waste seized by another actor")
    article = make.article(BODY, published_on=None, title="-1 results, the briefing")
    speaker = Person.objects.create(name="@Li")
    origin = Origin.objects.create(slug="briefing", name="+The briefing", kind=Origin.Kind.EVENT)
    ranged = make.claim(
        article,
        figure,
        "between 3,000 and 4,000 tonnes were seized",
        3000,
        value_high=4000,
        speaker=speaker,
        speaker_title="+director of customs",
        origin=origin,
        origin_words="=According to the briefing",
    )
    dated = make.claim(
        make.article("They seized 1,500.5 t in all.", published_on=date(2020, 3, 1)),
        figure,
        "They seized 1,500.5 t",
        Decimal("1500.5"),
        stated_on=date(2020, 2, 20),
    )
    undated = make.claim(make.article("Police seized 12 t.", published_on=None), figure, "Police seized 12 t", 12)
    # Added last: a claim's save derives its figure's misattributions afresh.
    figure.possible_misattributions.add(other, Figure.objects.filter(source_count__gt=0).exclude(pk=other.pk).first())
    return figure, article, [ranged, dated, undated]


def csv_of(ids):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CLAIM_COLUMNS)
    writer.writerows(slow_csv(claim, absolute) for claim in models_of(ids))
    return buffer.getvalue()


def ids_in(text):
    return [int(row["id"]) for row in csv.DictReader(io.StringIO(text))]


@pytest.mark.parametrize(
    "url", ["/claims.csv", "/claims.csv?page=1", "/figures/{figure}.csv", "/articles/{article}.csv"]
)
def test_a_claims_csv_is_byte_for_byte_the_rows_built_from_models(client, every_field, url):
    figure, article, _ = every_field
    text = streamed(client.get(url.format(figure=figure.slug, article=article.slug)))
    ids = ids_in(text)
    assert ids
    assert text == csv_of(ids)


def test_the_claims_csv_holds_the_rows_with_every_optional_field(client, every_field):
    _, _, claims = every_field
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(streamed(client.get("/claims.csv"))))}
    ranged, dated, undated = (rows[claim.pk] for claim in claims)
    assert (ranged["value_high"], ranged["normalised_high"], ranged["speaker"]) == ("4000", "4000000", "'@Li")
    assert (ranged["origin"], ranged["origin_words"]) == ("'+The briefing", "'=According to the briefing")
    assert ranged["figure_title"] == "'=SUM(A1) waste seized" and ranged["article_title"] == "'-1 results, the briefing"
    assert len(ranged["figure_possible_misattributions"].split()) == 2
    assert (ranged["published_on"], ranged["stated_on"]) == ("", "")
    assert (dated["published_on"], dated["stated_on"], dated["value"]) == ("2020-03-01", "2020-02-20", "1500.5")
    assert undated["value_high"] == "" and undated["speaker"] == "" and undated["origin"] == ""


@pytest.mark.parametrize("url", ["/claims.json", "/claims.json?page=1", "/articles/{article}.json"])
def test_a_claims_json_is_the_rows_built_from_models(client, every_field, url):
    figure, article, _ = every_field
    data = json.loads(streamed(client.get(url.format(article=article.slug))))
    rows = data.get("results", data.get("claims"))
    assert rows
    assert rows == [slow_json(claim, absolute) for claim in models_of([row["id"] for row in rows])]


def test_a_figures_json_lists_its_claims_as_built_from_models(client, every_field):
    figure, _, claims = every_field
    data = json.loads(streamed(client.get(f"/figures/{figure.slug}.json")))
    assert {row["id"] for row in data["claims"]} == {claim.pk for claim in claims}
    ids = [row["id"] for row in data["claims"]]
    assert data["claims"] == [slow_json(claim, absolute, figure=False) for claim in models_of(ids)]
    listed = json.loads(streamed(client.get("/figures.json")))["results"]
    assert [row["claims"] for row in listed if row["slug"] == figure.slug] == [data["claims"]]


# The claims' downloads: data version, [count,] claims, their figures' misattributions.
DOWNLOADS = {"/claims.csv": 3, "/claims.json": 4, "/claims.csv?status=disputed": 3}


@pytest.mark.parametrize(("url", "expected"), DOWNLOADS.items())
def test_a_download_streams_in_chunks_at_a_fixed_number_of_queries(
    client, seed, monkeypatch, django_assert_num_queries, url, expected
):
    grow()
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    rows = Claim.objects.published().count()
    assert rows > 20
    count_queries(client, django_assert_num_queries, url, expected)
    cache.clear()
    chunks = list(client.get(url).streaming_content)
    assert len(chunks) >= (rows if "status" not in url else 4) // 2 // 2
    assert max(len(chunk) for chunk in chunks) < 4 * 1024


def test_an_empty_download_reads_no_misattributions(client, seed, django_assert_num_queries):
    count_queries(client, django_assert_num_queries, "/claims.csv?q=nothing-says-this", 2)
    assert streamed(client.get("/claims.csv?q=nothing-says-this")) == ",".join(CLAIM_COLUMNS) + "\r\n"


def test_a_records_address_is_built_once_per_download(client, every_field, monkeypatch):
    calls = []
    reverse = exports.reverse
    monkeypatch.setattr(exports, "reverse", lambda *args, **kwargs: calls.append(args) or reverse(*args, **kwargs))
    streamed(client.get("/claims.json"))
    assert sorted(name for name, *_ in calls) == ["archive:article_detail", "archive:figure_detail"]
