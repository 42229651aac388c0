"""schema.org JSON-LD for search engines and data catalogues.

A figure is published as a Dataset: a set of values, each with its source, that we
describe rather than rate (ClaimReview would need a verdict the archive does not give).
An article page is our archived copy of a NewsArticle, pointing at the original.
"""

from django.urls import reverse

from .exports import LICENCE

ARCHIVE = {"@type": "Organization", "name": "Sourced Figures Archive"}


def news_article(article, absolute):
    data = {
        "@type": "NewsArticle",
        "headline": article.title,
        "publisher": {"@type": "Organization", "name": article.outlet.name},
        "inLanguage": article.language,
        "archivedAt": absolute(article.get_absolute_url()),
    }
    if article.url:
        data["url"] = article.url
    if article.published_on:
        data["datePublished"] = article.published_on.isoformat()
    if article.byline:
        data["author"] = {"@type": "Person", "name": article.byline}
    return data


def figure_dataset(figure, claims, absolute):
    articles = {claim.article_id: claim.article for claim in claims}
    exports = reverse("archive:claim_csv"), reverse("archive:claim_json")
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": figure.title,
        "description": f"{figure.get_measure_display().capitalize()}: every value published sources give for "
        f"this figure, with the quote each comes from. Status: {figure.get_status_display()}.",
        "url": absolute(figure.get_absolute_url()),
        "identifier": figure.slug,
        "creator": ARCHIVE,
        "isAccessibleForFree": True,
        "license": LICENCE["url"],
        "variableMeasured": figure.get_measure_display(),
        "about": {"@type": "Organization", "name": figure.organisation.name},
        "isBasedOn": [news_article(article, absolute) for article in articles.values()],
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": media_type,
                "contentUrl": absolute(f"{path}?figure={figure.slug}"),
            }
            for path, media_type in zip(exports, ("text/csv", "application/json"), strict=True)
        ],
    }
    if figure.period_start or figure.period_end:
        start = figure.period_start.isoformat() if figure.period_start else ".."
        end = figure.period_end.isoformat() if figure.period_end else ".."
        data["temporalCoverage"] = f"{start}/{end}"
    if figure.operation:
        data["keywords"] = [figure.operation.name, figure.get_measure_display()]
    return data


def archived_article(article, absolute):
    return {"@context": "https://schema.org", **news_article(article, absolute)}
