"""A claim's three dates: its article's publication date, the date its number was stated or is
valid as of (`Claim.stated_on`; when empty, the article's date), and its figure's period.

- A claim whose article's date or statement date precedes the start of its figure's period is
  refused: no one can state a number for a period that has not begun. Nor can an article report a
  number stated after its own date. `date_errors()` says so for
  a claim, and is called where every claim is checked (`archive/locating.py`: the admin's forms,
  the claim desk, saves and the claims import); an article's date or a figure's period cannot be
  edited into the same contradiction (`early_claims()`).
- A number stated before its figure's period ended (on its last day at the latest) is interim:
  readers see "as of 26 November 2019, before the period ended" (`is_interim()`).
"""

from django.db.models import Q


def stated_date(claim):
    """When the claim's number was stated: its own date, else its article's (None when neither is known)."""
    return claim.stated_on or claim.article.published_on


def is_interim(claim):
    stated, end = stated_date(claim), claim.figure.period_end
    return bool(stated and end and stated <= end)


def day(date):
    return f"{date.day} {date:%B %Y}"


def date_errors(claim):
    """{field: message} for the dates of `claim` that precede the start of its figure's period, and
    a statement date after its article's."""
    errors = {}
    published = claim.article.published_on
    if claim.stated_on and published and claim.stated_on > published:
        errors["stated_on"] = (
            f"Stated on {day(claim.stated_on)}, after the article “{claim.article}” that prints it was published "
            f"({day(published)}): an article can only report a number stated by its own date."
        )
    start = claim.figure.period_start
    if start is None:
        return errors
    if published and published < start:
        errors["article"] = (
            f"The article “{claim.article}” is dated {day(published)}, before the period of the figure "
            f"“{claim.figure}” starts ({day(start)}): it cannot state a number for a period that has not begun."
        )
    if claim.stated_on and claim.stated_on < start and "stated_on" not in errors:
        errors["stated_on"] = (
            f"Stated on {day(claim.stated_on)}, before the period of the figure “{claim.figure}” starts "
            f"({day(start)}): a number cannot be stated for a period that has not begun."
        )
    return errors


def early_claims(claims, start=None, published=None):
    """The message refusing an edit that would leave some of `claims` dated before their figure's
    period starts, or stated after their article's date, or None: a figure's period now starting
    on `start`, or an article now dated `published`."""
    if start is not None:
        early = Q(stated_on__lt=start) | Q(article__published_on__lt=start)
    elif published is not None:
        early = Q(figure__period_start__gt=published) | Q(stated_on__gt=published)
    else:
        return None
    found = list(claims.filter(early).select_related("article", "figure").order_by("pk")[:5])
    if not found:
        return None
    listed = "; ".join(f"claim {claim.pk} (“{claim.figure}”, {dates(claim)})" for claim in found)
    return (
        "This date would put claims before the start of their figure's period, for which no source can state "
        f"a number, or put the article before the day its numbers were stated: {listed}. Change those claims first."
    )


def dates(claim):
    published = claim.article.published_on
    words = [f"article dated {day(published)}" if published else "article undated"]
    if claim.stated_on:
        words.append(f"stated on {day(claim.stated_on)}")
    return ", ".join(words)
