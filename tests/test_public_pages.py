"""The public archive's pages on the seed data: what a reader sees, and what they never see."""

import html as html_lib
import json
import re

import pytest
from django.contrib.staticfiles import finders

from archive.models import Article, Claim, Figure

from . import public_data as make

DISPUTED = "/figures/demeter-v-waste-seized-china-customs/"
MINOR = "/figures/china-customs-endangered-species-weight-jan-oct-2019/"
GLOBAL_TIMES = "/articles/global-times-2019-11-26-china-will-apply-5g-technology/"
CHINA_DAILY = "/articles/china-daily-2019-11-27-customs-to-boost-efforts-to-foil-smuggling/"

PAGES = [
    "/",
    "/figures/",
    DISPUTED,
    MINOR,
    "/claims/",
    "/articles/",
    GLOBAL_TIMES,
    CHINA_DAILY,
    "/operations/",
    "/operations/demeter-v/",
    "/operations/thunderball-2019/",
]
EXPORTS = ["/figures.csv", "/figures.json", "/claims.csv", "/claims.json"]


def text(response):
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def visible(response):
    """The page's text without tags, whitespace collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", text(response))).split())


def claim_in(article_slug, figure_slug):
    return Claim.objects.get(article__slug=article_slug, figure__slug=figure_slug)


@pytest.mark.parametrize("url", PAGES + EXPORTS)
def test_it_renders_every_page_of_the_seed_data(client, seed, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_it_gives_every_page_a_title_canonical_link_and_description(client, seed, url):
    html = text(client.get(url))
    assert re.search(r"<title>[^<]+ · Sourced Figures Archive</title>", html)
    assert f'<link rel="canonical" href="http://testserver{url}">' in html
    description = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
    assert len(description) > 40


@pytest.mark.parametrize("url", PAGES + EXPORTS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_it_refuses_every_method_but_get_and_head(client, seed, url, method):
    count = Claim.objects.count()
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}
    assert Claim.objects.count() == count


@pytest.mark.parametrize("url", PAGES + EXPORTS)
def test_it_answers_head(client, seed, url):
    assert client.head(url).status_code == 200


def test_it_links_the_stylesheet_it_ships(client, seed):
    html = text(client.get("/"))
    assert '<link rel="stylesheet" href="/static/archive/archive.css">' in html
    assert finders.find("archive/archive.css")


@pytest.mark.parametrize("url", ["/", "/articles/"])
def test_it_says_how_many_claims_each_listed_article_has(client, seed, url):
    make.sourced_figure([7], sources=[make.outlet("One Claim Daily")])
    page = visible(client.get(url))
    assert "China Daily, 27 November 2019 · 11 claims " in page
    assert "One Claim Daily, 15 January 2020 · 1 claim " in page
    assert "numbers claimed" not in page


class TestHome:
    def test_it_counts_what_the_archive_holds(self, client, seed):
        page = visible(client.get("/"))
        assert "Figures 19" in page
        assert "Disputed 2" in page
        assert "Sourced numbers 24" in page
        assert "Articles 2" in page
        assert "Outlets 2" in page
        assert '<dd><a href="/outlets/">2</a></dd>' in client.get("/").content.decode()

    def test_it_lists_disputed_figures_before_minor_ones(self, client, seed):
        html = text(client.get("/"))
        contested = html[html.index('id="contested"') : html.index('id="operations"')]
        disputed = contested.index("Waste seized by China customs in Operation Demeter V")
        minor = contested.index("Endangered species and products seized by China customs")
        assert disputed < minor
        assert "Single" not in contested and "sources agree" not in contested

    def test_it_lists_the_operations_and_latest_articles(self, client, seed):
        page = visible(client.get("/"))
        assert "Operation Demeter V (also “Demeter V”, “Operation Earth Goddess”)" in page
        assert "Operation Thunderball" in page
        assert page.index("Customs to boost efforts to foil smuggling") < page.index("China will apply 5G technology")


class TestFigurePage:
    def test_it_shows_both_values_both_quotes_and_the_disagreement(self, client, seed):
        response = client.get(DISPUTED)
        page = visible(response)
        assert "Global Times 4,585 t vs China Daily about 1,500 t: 3.1 times higher (3,085 t more)" in page
        assert "Global Times: 4,585 tonnes" in page
        assert "China Daily: about 1,500 tonnes" in page
        assert "“roughly 1,500”, in tonnes" in page
        assert "1,500,000 kilograms" in page and "4,585,000 kilograms" in page
        assert "about: read as anything within 10% either way" in page
        assert 'seized 4,585 tons of smuggled waste during "Operation Earth Goddess."' in page
        assert "which seized roughly 1,500 tons of waste." in page

    def test_it_shows_each_quote_in_its_surrounding_sentence_linked_to_that_spot(self, client, seed):
        html = text(client.get(DISPUTED))
        china_daily = claim_in(
            "china-daily-2019-11-27-customs-to-boost-efforts-to-foil-smuggling", "demeter-v-waste-seized-china-customs"
        )
        assert (
            "Later, during the solid waste international operation from Sept 2 to 30, a total of 232 cases were "
            'cracked, <mark class="quote">of which 85 cases involved China customs, which seized roughly '
            "<strong>1,500</strong> tons of waste.</mark>"
        ) in html
        assert f'href="{CHINA_DAILY}#claim-{china_daily.pk}"' in html

    def test_it_spells_out_a_minor_difference(self, client, seed):
        page = visible(client.get(MINOR))
        assert "A minor difference" in page
        assert "Global Times 1,238 t vs China Daily 1,237 t: 1 t more (0.08% higher)" in page

    def test_it_shows_the_speaker_and_the_date(self, client, seed):
        page = visible(client.get(MINOR))
        # The title as the outlet prints it, not the person's record.
        assert (
            "Sun Zhijie, director general of the anti-smuggling bureau of GACC (the title as China Daily prints it)"
            in page
        )
        assert "27 November 2019" in page

    def test_it_draws_a_chart_of_the_values_without_javascript(self, client, seed):
        html = text(client.get(DISPUTED))
        svg = html[html.index("<svg") : html.index("</svg>")]
        assert svg.count('class="bar"') == 2
        assert "Global Times: 4,585 t" in svg and "China Daily: about 1,500 t" in svg
        assert svg.count('class="range"') == 3  # "about" gets a range with two end ticks; exact gets none
        assert "<script" not in html.replace('<script type="application/ld+json">', "")

    def test_it_offers_a_citation_with_the_permanent_address(self, client, seed):
        page = visible(client.get(DISPUTED))
        assert (
            "Sourced Figures Archive, “Waste seized by China customs in Operation Demeter V, September 2019”, "
            f"http://testserver{DISPUTED}"
        ) in page

    def test_it_describes_the_figure_as_a_schema_org_dataset(self, client, seed):
        html = text(client.get(DISPUTED))
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
        assert data["@type"] == "Dataset"
        assert data["url"] == f"http://testserver{DISPUTED}"
        assert {source["publisher"]["name"] for source in data["isBasedOn"]} == {"China Daily", "Global Times"}
        assert data["temporalCoverage"] == "2019-09-02/2019-09-30"

    def test_it_hints_at_a_misattribution(self, client, seed):
        page = visible(client.get("/figures/demeter-v-cases-china-customs/"))
        assert "Possible misattribution , the same value : Global Times gives 232" in page
        assert "Cases cracked by all participating countries in Operation Demeter V" in page

    def test_it_never_hints_at_a_figure_that_is_not_public(self, client, seed):
        # Its status and source count follow, as on every write path; the hint's link is left in place.
        Claim.objects.filter(figure__slug="demeter-v-cases-all-countries").update(status="draft")
        Figure.objects.filter(slug="demeter-v-cases-all-countries").update(
            status="unsourced", source_count=0, published_claim_count=0
        )
        page = visible(client.get("/figures/demeter-v-cases-china-customs/"))
        assert "Possible misattribution" not in page
        assert "Cases cracked by all participating countries in Operation Demeter V" not in visible(
            client.get("/figures/")
        )

    def test_it_is_not_found_without_a_published_claim(self, client, seed):
        for claim in Claim.objects.filter(figure__slug="demeter-v-waste-cases-china"):
            claim.status = "draft"
            claim.save()
        assert client.get("/figures/demeter-v-waste-cases-china/").status_code == 404
        assert client.get("/figures/no-such-figure/").status_code == 404


class TestArticlePage:
    def test_it_highlights_each_quote_with_an_anchor_linked_to_its_figure(self, client, seed):
        html = text(client.get(GLOBAL_TIMES))
        claim = claim_in(
            "global-times-2019-11-26-china-will-apply-5g-technology", "demeter-v-waste-seized-china-customs"
        )
        mark = re.search(
            rf'<mark class="quote" data-claims="[\d ]*">(?:(?!</mark>).)*id="claim-{claim.pk}".*?</mark>', html
        )
        assert mark, "the quote's anchor sits inside a highlighted passage"
        assert "seized 4,585 tons of smuggled waste" in mark.group(0)
        assert f'href="{DISPUTED}#claim-{claim.pk}"' in html

    def test_it_merges_overlapping_quotes_into_one_passage_with_every_anchor(self, client, seed):
        html = text(client.get(CHINA_DAILY))
        ids = [
            claim_in("china-daily-2019-11-27-customs-to-boost-efforts-to-foil-smuggling", slug).pk
            for slug in (
                "demeter-v-cases-all-countries",
                "demeter-v-cases-china-customs",
                "demeter-v-waste-seized-china-customs",
            )
        ]
        mark = re.search(
            r'<mark class="quote" data-claims="([\d ]+)">(.*?)</mark>', html[html.index("Later, ") :], re.S
        )
        assert mark.group(1).split() == [str(pk) for pk in ids]
        assert [int(pk) for pk in re.findall(r'id="claim-(\d+)"', mark.group(2))] == ids
        assert re.sub(r"<[^>]+>", "", mark.group(2)) == (
            "during the solid waste international operation from Sept 2 to 30, a total of 232 cases were cracked, "
            "of which 85 cases involved China customs, which seized roughly 1,500 tons of waste."
        )

    def test_it_gives_every_published_claim_one_anchor(self, client, seed):
        for path, slug in (
            (GLOBAL_TIMES, "global-times-2019-11-26-china-will-apply-5g-technology"),
            (CHINA_DAILY, "china-daily-2019-11-27-customs-to-boost-efforts-to-foil-smuggling"),
        ):
            html = text(client.get(path))
            body = html[html.index('class="article-body"') : html.index('id="numbers"')]
            anchors = sorted(int(pk) for pk in re.findall(r'<span class="anchor" id="claim-(\d+)">', body))
            assert anchors == sorted(Claim.objects.filter(article__slug=slug).values_list("pk", flat=True))

    def test_it_keeps_the_paragraphs_and_the_provenance(self, client, seed):
        response = client.get(CHINA_DAILY)
        html = text(response)
        body = html[html.index('class="article-body"') : html.index('id="numbers"')]
        assert body.count("<p>") == Article.objects.get(slug__startswith="china-daily").body.count("\n") + 1
        page = visible(response)
        assert "the date 27 November 2019 is read from the address (/201911/27/)" in page
        assert "https://www.chinadaily.com.cn/a/201911/27/WS5dddcbb3a310cf3e3557a39b.html" in page

    def test_it_describes_the_article_as_an_archived_news_article(self, client, seed):
        html = text(client.get(GLOBAL_TIMES))
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
        assert data["@type"] == "NewsArticle"
        assert data["url"] == "http://www.globaltimes.cn/content/1171307.shtml"
        assert data["archivedAt"] == f"http://testserver{GLOBAL_TIMES}"
        assert data["datePublished"] == "2019-11-26"


class TestOperationPage:
    def test_it_says_which_source_uses_which_name(self, client, seed):
        html = text(client.get("/operations/demeter-v/"))
        rows = dict(re.findall(r'data-label="Name">“([^”]+)”</th>.*?data-label="Used by">(.*?)</td>', html, re.S))
        assert "China Daily" in rows["Demeter V"] and "Global Times" not in rows["Demeter V"]
        assert (
            "Global Times" in rows["Operation Earth Goddess"] and "China Daily" not in rows["Operation Earth Goddess"]
        )
        assert "none of the archived articles" in rows["Operation Demeter V"]

    def test_it_counts_a_name_as_used_by_every_published_article_that_prints_it_whole(self, client, seed):
        Claim.objects.filter(article__outlet__slug="global-times", figure__operation__slug="demeter-v").delete()
        make.article("Officials described OPERATION DEMETER V in detail.", source=make.outlet("Printed Name Daily"))
        make.article("Nothing here.", source=make.outlet("Title Daily"), title="Demeter V: what was found")
        make.article("Customs also ran Demeter VI and Demeter Vth.", source=make.outlet("Other Operation Daily"))
        make.article("Operation Earth Goddess, a draft.", source=make.outlet("Draft Daily"), status="draft")
        html = text(client.get("/operations/demeter-v/"))
        rows = dict(re.findall(r'data-label="Name">“([^”]+)”</th>.*?data-label="Used by">(.*?)</td>', html, re.S))
        assert "Global Times" in rows["Operation Earth Goddess"]
        assert "Printed Name Daily" in rows["Operation Demeter V"]
        assert "Title Daily" in rows["Demeter V"] and "Printed Name Daily" in rows["Demeter V"]
        assert "Other Operation Daily" not in html and "Draft Daily" not in html

    def test_it_groups_the_figures_by_measure(self, client, seed):
        page = visible(client.get("/operations/demeter-v/"))
        assert "Cases Cases cracked by all participating countries" in page
        assert "Weight seized Waste seized by China customs" in page
        assert "Global Times 4,585 t China Daily about 1,500 t" in page

    def test_it_shows_the_dates_and_coordinators(self, client, seed):
        page = visible(client.get("/operations/thunderball-2019/"))
        assert "4 June 2019 to 30 June 2019" in page
        assert "International Criminal Police Organization (INTERPOL); World Customs Organization (WCO)" in page

    def test_it_is_not_found_for_an_unknown_operation(self, client, seed):
        assert client.get("/operations/no-such-operation/").status_code == 404


class TestDrafts:
    def test_it_never_shows_a_draft_article_or_its_claims(self, client, seed):
        draft = make.article(
            "A secret draft: officials seized 9,999 tonnes of waste.", title="Draft only", status="draft"
        )
        figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
        make.claim(draft, figure, "officials seized 9,999 tonnes of waste", 9999)
        for url in PAGES + EXPORTS + [f"/claims.json?figure={figure.slug}"]:
            body = text(client.get(url))
            assert "9,999" not in body and "9999" not in body, url
            assert "Draft only" not in body, url
        assert client.get(draft.get_absolute_url()).status_code == 404

    def test_it_never_shows_a_draft_claim_in_a_published_article(self, client, seed):
        body = "The ministry said 7,777 tonnes of waste were seized."
        published = make.article(body, title="Published with a draft claim")
        figure = make.figure(title="A figure with only a draft claim")
        make.claim(published, figure, "7,777 tonnes of waste were seized", 7777, status="draft")
        for url in PAGES + EXPORTS:
            body = text(client.get(url))
            assert "7,777 tonnes" not in visible(client.get(url)) or url == published.get_absolute_url(), url
            assert "A figure with only a draft claim" not in body, url
        article_page = text(client.get(published.get_absolute_url()))
        assert "<mark" not in article_page
        assert client.get(figure.get_absolute_url()).status_code == 404


class TestEscaping:
    BODY = (
        "Officials met on Monday. <script>alert('body')</script> "
        'They seized 1,200 tonnes <img src=x onerror="alert(1)"> of waste. & more.'
    )
    QUOTE = 'They seized 1,200 tonnes <img src=x onerror="alert(1)"> of waste.'

    @pytest.fixture
    def hostile(self, db):
        article = make.article(self.BODY, title="<script>alert('title')</script>")
        figure = make.figure(title="Waste <b>seized</b> </script><script>alert('figure')</script>")
        claim = make.claim(article, figure, self.QUOTE, 1200)
        return article, figure, claim

    def test_it_never_makes_html_from_an_article_live(self, client, hostile):
        article, figure, claim = hostile
        for url in [article.get_absolute_url(), figure.get_absolute_url(), "/claims/", "/figures/", "/articles/", "/"]:
            html = text(client.get(url))
            assert "<img src=x" not in html, url
            assert "<script>alert" not in html, url
            assert "<b>seized</b>" not in html, url
        html = text(client.get(article.get_absolute_url()))
        assert "&lt;script&gt;alert(&#x27;body&#x27;)&lt;/script&gt;" in html
        assert (
            f'<span class="anchor" id="claim-{claim.pk}"></span>They seized 1,200 tonnes '
            "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; of waste.</mark>"
        ) in html

    def test_it_keeps_json_ld_inside_its_script_element(self, client, hostile):
        article, figure, _ = hostile
        for url in (article.get_absolute_url(), figure.get_absolute_url()):
            html = text(client.get(url))
            block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
            assert "<" not in block
            assert "alert" in json.dumps(json.loads(block))


def test_a_figure_page_shows_a_range_as_one_value_and_rules_on_its_interval(client, db):
    made = make.figure(title="Pangolin scales seized")
    ranged = "Officials estimated between 3,000 and 4,000 tonnes were seized"
    make.claim(make.article(f"{ranged}.", source=make.outlet("First Daily")), made, ranged, 3000, value_high=4000)
    exact = "Customs seized 3,900 tonnes"
    make.claim(make.article(f"{exact}.", source=make.outlet("Second Daily")), made, exact, 3900)
    made.refresh_from_db()

    page = html_lib.unescape(client.get(made.get_absolute_url()).content.decode())

    assert made.status == "consistent"
    assert "3,000–4,000 t" in page
    assert "“between 3,000 and 4,000”" in page
