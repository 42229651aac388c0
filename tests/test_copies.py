"""An article marked as a copy of another (syndicated or mirrored, the same text): never of itself,
never of a copy, and never while others copy it, in the admin and in CSV alike; kept in history;
and its claims are not an independent origin (archive/origins.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from archive.models import Article, Claim, Outlet
from archive.origins import figure_origins

from .admin_forms import form_data
from .csv_support import CHINA_DAILY, GLOBAL_TIMES, export_csv, import_csv

pytestmark = pytest.mark.django_db


def mirror(of, slug="mirror", status="published"):
    outlet, _ = Outlet.objects.get_or_create(slug="mirror-site", name="Mirror site")
    return Article.objects.create(
        slug=slug, outlet=outlet, title=f"{of.title} ({slug})", body=of.body, status=status, copy_of=of
    )


def test_an_article_cannot_be_a_copy_of_itself_a_copy_or_while_it_is_copied(seed):
    original = Article.objects.get(slug=GLOBAL_TIMES)
    copy = mirror(original)

    original.copy_of = original
    with pytest.raises(ValidationError, match="An article cannot be a copy of itself."):
        original.full_clean()

    chained = Article(slug="chained", outlet=copy.outlet, title="Chained", body=copy.body, copy_of=copy)
    with pytest.raises(ValidationError, match="is itself a copy of .*mark this article as a copy of that original"):
        chained.full_clean()

    # A cycle needs a copy that is copied: refused as well.
    original.copy_of = Article.objects.get(slug=CHINA_DAILY)
    with pytest.raises(ValidationError, match="Other articles are copies of this one .*mirror"):
        original.full_clean()

    # A plain copy of an original is fine.
    original.copy_of = None
    Article(slug="fine", outlet=copy.outlet, title="Fine", body=copy.body, copy_of=original).full_clean()


def test_the_database_refuses_an_article_copying_itself(seed):
    article = Article.objects.get(slug=GLOBAL_TIMES)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(copy_of=article.pk)


def test_the_admin_marks_a_copy_and_keeps_it_in_history(editor_client, seed):
    original = Article.objects.get(slug=GLOBAL_TIMES)
    copy = mirror(original, status="draft")
    url = reverse("admin:archive_article_change", args=[copy.pk])

    data = form_data(editor_client.get(url))
    data["copy_of"] = str(copy.pk)
    assert "An article cannot be a copy of itself." in editor_client.post(url, data).text

    data = form_data(editor_client.get(url))
    data["copy_of"] = str(Article.objects.get(slug=CHINA_DAILY).pk)
    assert editor_client.post(url, data).status_code == 302
    copy.refresh_from_db()
    assert copy.copy_of.slug == CHINA_DAILY
    assert [row.copy_of_id for row in copy.history.order_by("history_id")][-1] == copy.copy_of_id


def test_the_csv_import_marks_copies_and_refuses_chains_with_the_same_message(seed, tmp_path):
    original = Article.objects.get(slug=GLOBAL_TIMES)
    header = ["slug", "url", "outlet", "title", "published_on", "body", "copy_of"]
    first = [
        "mirror-1",
        "https://mirror.example/1",
        "China Daily",
        "Mirror 1",
        "2019-11-27",
        original.body,
        GLOBAL_TIMES,
    ]
    # A later row may name an article an earlier row of the same file adds.
    chained = [
        "mirror-2",
        "https://mirror.example/2",
        "China Daily",
        "Mirror 2",
        "2019-11-27",
        original.body,
        "mirror-1",
    ]

    result = import_csv(tmp_path, "articles", [header, first, chained])

    assert not result.ok
    assert "row 3, column copy_of: “Mirror 1” is itself a copy of" in result.err + result.out
    assert not Article.objects.filter(slug__startswith="mirror").exists()

    assert import_csv(tmp_path, "articles", [header, first]).ok
    assert Article.objects.get(slug="mirror-1").copy_of == original
    assert f",{GLOBAL_TIMES}\r\n" in export_csv("articles")


def public_claims(figure_id):
    return list(
        Claim.objects.published().filter(figure_id=figure_id).select_related("article__outlet", "origin").order_by("pk")
    )


def test_a_copy_s_claims_are_its_original_s_origin(seed):
    original = Article.objects.get(slug=GLOBAL_TIMES)
    weight = Claim.objects.get(article=original, figure__slug="china-customs-endangered-species-weight-jan-oct-2019")
    Claim(article=mirror(original), figure=weight.figure, value=weight.value, unit="t", quote=weight.quote).save()
    Claim.objects.filter(article__slug="mirror").update(status="published")

    summary = figure_origins(public_claims(weight.figure_id))[weight.figure_id]

    # China Daily quoting Sun, Global Times and its mirror: three outlets, two origins.
    assert (summary.outlet_count, summary.origin_count) == (3, 2)
    assert summary.transmission_errors == []


def test_a_copy_that_disagrees_with_its_original_is_a_transmission_error(seed):
    original = Article.objects.get(slug=GLOBAL_TIMES)
    weight = Claim.objects.get(article=original, figure__slug="china-customs-endangered-species-weight-jan-oct-2019")
    copy = mirror(original)
    copy.body = copy.body.replace("seized 1,238 tons", "seized 12,380 tons")
    copy.save()
    quote = weight.quote.replace("1,238", "12,380")
    Claim(article=copy, figure=weight.figure, value=12380, unit="t", quote=quote, status="published").save()

    summary = figure_origins(public_claims(weight.figure_id))[weight.figure_id]

    assert [error.origin for error in summary.transmission_errors] == ["the article in Global Times and its copies"]
