from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from archive.locating import Body, locate
from archive.management.database import database_failures_told
from archive.models import Article, Claim, batched, format_decimal

ARTICLES_AT_ONCE = 200
QUOTE_SHOWN = 60


class StoredClaims:
    """Every stored claim, checked against the rules as they are now."""

    def __init__(self):
        self.checked = 0

    def problems(self):
        """(claim, field, message) for each way a stored claim fails the rules: each claim is
        located again in its article's body (`archive/locating.py`), as a save of it would be. A
        claim the rules refuse comes with each reason; one they accept but place or read
        otherwise than its stored fields say (the rules changed since it was saved) with each
        field that differs."""
        article_ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        for chunk in batched(article_ids, ARTICLES_AT_ONCE):
            articles = Article.objects.in_bulk(chunk)
            bodies = {pk: Body(article.body) for pk, article in articles.items()}
            claims = Claim.objects.filter(article_id__in=chunk).select_related("figure").order_by("article_id", "pk")
            for claim in claims:
                self.checked += 1
                claim.article = articles[claim.article_id]
                stored = claim.located_fields()
                try:
                    locate(claim, bodies[claim.article_id])
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        yield claim, field, " ".join(messages)
                    continue
                for field, now in claim.located_fields().items():
                    if now != stored[field]:
                        message = f"stored as {shown(stored[field])}, but the rules now give {shown(now)}: save again"
                        yield claim, field, message


def shown(value):
    if isinstance(value, Decimal):
        return format_decimal(value)
    return f"“{value}”" if isinstance(value, str) else str(value)


def described(claim):
    quote = claim.quote if len(claim.quote) <= QUOTE_SHOWN else claim.quote[: QUOTE_SHOWN - 1] + "…"
    return f"claim {claim.pk} (article {claim.article.slug}, figure {claim.figure.slug}, quote “{quote}”)"


class Command(BaseCommand):
    requires_system_checks = []
    help = (
        "Check every stored claim against the rules as they are now: its quote in its article's body, its value, "
        "bound and unit in the quote, as a save would. Lists each claim that fails with the reason; exit code 1 "
        "if any does. Changes nothing."
    )

    def handle(self, *args, **options):
        claims, failing = StoredClaims(), set()
        with database_failures_told("the check did not finish"):
            for claim, field, message in claims.problems():
                failing.add(claim.pk)
                self.stderr.write(f"{described(claim)}, {field}: {message}")
        if failing:
            raise CommandError(f"{len(failing):,} of {claims.checked:,} claims do not follow the rules as they are now")
        self.stdout.write(f"Checked {claims.checked:,} claims: every one follows the rules as they are now.")
