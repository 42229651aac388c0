"""The article page tells an editor which numbers in the body no claim covers yet."""

import pytest
from django.urls import reverse

from archive.models import Article, Claim, Outlet


@pytest.fixture
def china_daily(seed):
    return Article.objects.get(outlet__slug="china-daily")


def article_page(client, article):
    response = client.get(reverse("admin:archive_article_change", args=[article.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_counts_the_claimed_numbers_of_each_seed_article(editor_client, china_daily):
    assert "11 of 12 numbers handled" in article_page(editor_client, china_daily)
    global_times = Article.objects.get(outlet__slug="global-times")
    page = article_page(editor_client, global_times)
    assert "13 of 13 numbers handled" in page
    assert "not claimed" not in page


def test_it_shows_the_unclaimed_number_in_its_words(editor_client, china_daily):
    page = article_page(editor_client, china_daily)
    assert page.count("not claimed") == 1
    assert (
        "<strong>10: not claimed</strong> in “…technology to help the process. "
        "Over the first <mark>10</mark> months of this year, customs probed 444 cases…”" in page
    )


def test_it_links_each_claimed_number_to_its_claims(editor_client, china_daily):
    claim = Claim.objects.get(article=china_daily, value=1237)
    page = article_page(editor_client, china_daily)
    assert (
        f'<li>1,237: <a href="{reverse("admin:archive_claim_change", args=[claim.pk])}">claim {claim.pk}</a></li>'
        in page
    )


def test_it_links_the_unclaimed_number_to_its_place_on_the_claim_desk(editor_client, china_daily):
    page = article_page(editor_client, china_daily)
    at = china_daily.body.index("first 10 months") + len("first ")
    desk = reverse("admin:archive_article_desk", args=[china_daily.pk])
    assert f'<a href="{desk}?at={at}">claim it</a>' in page


def test_it_never_renders_article_text_as_html(editor_client, seed):
    article = Article.objects.create(
        outlet=Outlet.objects.get(slug="global-times"),
        title="<i>Seized</i>",
        slug="markup",
        body='Officers seized <script>alert("body")</script> 7 <b>boxes</b> & 12 crates.',
    )
    page = article_page(editor_client, article)
    assert "0 of 2 numbers handled" in page
    assert "<script>alert" not in page
    assert "<b>boxes</b>" not in page
    assert (
        "&lt;script&gt;alert(&quot;body&quot;)&lt;/script&gt; <mark>7</mark> &lt;b&gt;boxes&lt;/b&gt; &amp; 12" in page
    )
    assert "<i>Seized</i>" not in page


def test_it_asks_for_the_article_to_be_saved_before_claims(editor_client):
    response = editor_client.get(reverse("admin:archive_article_add"))
    assert response.context["inline_admin_formsets"] == []
    assert "Save the article to see which of its numbers are claimed." in response.content.decode()
