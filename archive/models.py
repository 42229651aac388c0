from decimal import Decimal
from itertools import islice

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from . import printed_numbers
from .claim_dates import early_claims
from .vocabulary import (
    MEASURE_DIMENSION,
    Bound,
    FigureStatus,
    Measure,
    Status,
    Unit,
    units_for,
)

# Most contested first: the order of the home page and of the figures list by status.
STATUS_ORDER = [FigureStatus.DISPUTED, FigureStatus.MINOR, FigureStatus.CONSISTENT, FigureStatus.SINGLE]


def status_rank():
    """A figure's place in `STATUS_ORDER`, as the figures list sorts by it and its index holds it."""
    return models.Case(
        *(models.When(status=status, then=models.Value(rank)) for rank, status in enumerate(STATUS_ORDER)),
        default=models.Value(len(STATUS_ORDER)),
        output_field=models.IntegerField(),
    )


def choices_check(field, choices, name):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class VersionField(models.PositiveIntegerField):
    """Carried through every form as a hidden input, so a save knows which version it edited."""

    def formfield(self, **kwargs):
        return super().formfield(**{**kwargs, "widget": forms.HiddenInput})


class VersionedModel(models.Model):
    """Optimistic locking: a save made from a copy someone else has changed since is
    refused, so two editors never silently overwrite each other."""

    version = VersionField(default=1)

    class Meta:
        abstract = True

    def stale_error(self):
        if self._state.adding:
            return None
        current = type(self)._default_manager.filter(pk=self.pk).values_list("version", flat=True).first()
        if current is None or current == self.version:
            return None
        latest = self.history.select_related("history_user").first()
        who = f" by {latest.history_user}" if latest and latest.history_user else ""
        when = f" at {latest.history_date:%Y-%m-%d %H:%M} UTC" if latest else ""
        return ValidationError(
            {
                NON_FIELD_ERRORS: f"This {self._meta.verbose_name} was changed{who}{when} after you opened it. "
                "Nothing you entered was saved: reload the page to see the new version, then make your change again."
            },
            code="stale",
        )

    def full_clean(self, *args, **kwargs):
        # A stale copy must be reloaded whatever else is wrong with it.
        stale = self.stale_error()
        if stale:
            raise stale
        super().full_clean(*args, **kwargs)

    def save(self, *args, **kwargs):
        if self._state.adding or kwargs.get("update_fields"):
            return super().save(*args, **kwargs)
        with transaction.atomic():
            # Compare-and-bump in one statement: of two concurrent saves of one version, one wins.
            won = type(self)._default_manager.filter(pk=self.pk, version=self.version).update(version=self.version + 1)
            if not won:
                raise self.stale_error() or ValidationError({NON_FIELD_ERRORS: "This record was changed meanwhile."})
            self.version += 1
            super().save(*args, **kwargs)


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SlugModel(VersionedModel):
    """Everything editors name gets a unique slug: its natural key in fixtures and CSV."""

    slug = models.SlugField(max_length=120, unique=True)

    objects = SlugManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (self.slug,)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(str(self))[:120]
        super().save(*args, **kwargs)


class Outlet(SlugModel):
    name = models.CharField(max_length=200, unique=True)
    website = models.URLField(blank=True)
    country = models.CharField(max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:outlet_detail", args=[self.slug])


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", "government agency"
    INTERGOVERNMENTAL = "intergovernmental", "intergovernmental organisation"
    NGO = "ngo", "non-governmental organisation"
    SCOPE = "scope", "group or scope (e.g. all participating countries)"


class Organisation(SlugModel):
    Kind = OrganisationKind

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=50, blank=True, help_text="GACC, WCO, INTERPOL...")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GOVERNMENT)
    country = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["short_name"], condition=~Q(short_name=""), name="organisation_short_name_unique"
            ),
            choices_check("kind", OrganisationKind, "organisation_kind_valid"),
        ]

    def __str__(self):
        return self.name


class Person(SlugModel):
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=300, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name


class OriginKind(models.TextChoices):
    PERSON = "person", "person"
    ORGANISATION = "organisation", "organisation"
    EVENT = "event", "event (a conference, a briefing, a report)"


class Origin(SlugModel):
    """Where an article says a number comes from: a person, an organisation or an event (the
    debriefing conference). Claims of one origin are one source however many outlets print them."""

    Kind = OriginKind

    name = models.CharField(max_length=200, unique=True, help_text="“The Thunderball & Demeter V debriefing”")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EVENT)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="origins", help_text="A person's record."
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="origins",
        help_text="The organisation itself, or the one that held the event.",
    )
    held_on = models.DateField(null=True, blank=True, help_text="For an event: the day it was held.")
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [choices_check("kind", OriginKind, "origin_kind_valid")]

    def __str__(self):
        return self.name


class OperationQuerySet(models.QuerySet):
    def get_by_any_name(self, text):
        """An operation by its slug, its name or any alias sources use, ignoring case."""
        text = text.strip()
        return self.filter(Q(slug=text) | Q(name__iexact=text) | Q(aliases__name__iexact=text)).distinct().get()


class OperationManager(SlugManager.from_queryset(OperationQuerySet)):
    pass


class Operation(SlugModel):
    name = models.CharField(max_length=200, unique=True)
    focus = models.CharField(max_length=200, blank=True, help_text="wildlife crime, solid waste smuggling...")
    coordinators = models.ManyToManyField(Organisation, blank=True, related_name="coordinated_operations")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    objects = OperationManager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="operation_ends_after_start",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:operation_detail", args=[self.slug])

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The operation cannot end before it starts."})
        clash = OperationAlias.objects.filter(name__iexact=self.name).exclude(operation_id=self.pk).first()
        if clash:
            raise ValidationError({"name": f"“{self.name}” is already an alias of {clash.operation}."})


class OperationAliasManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class OperationAlias(models.Model):
    """Another name sources use for an operation: Demeter V is “Operation Earth Goddess”."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    note = models.CharField(max_length=300, blank=True, help_text="Why sources use this name.")

    objects = OperationAliasManager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "operation aliases"
        constraints = [models.UniqueConstraint(Lower("name"), name="operation_alias_name_unique")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)

    natural_key.dependencies = ["archive.operation"]

    def clean(self):
        clash = Operation.objects.filter(name__iexact=self.name).exclude(pk=self.operation_id).first()
        if clash:
            raise ValidationError({"name": f"“{self.name}” is already the name of {clash}."})


class PartOfManager(models.Manager):
    def get_by_natural_key(self, operation_slug, part_slug, whole_slug):
        return self.get(operation__slug=operation_slug, part__slug=part_slug, whole__slug=whole_slug)


class PartOf(VersionedModel):
    """An editor's statement that, in one operation, one organisation or scope is part of another:
    China customs within all participating countries of Demeter V. The figures of the two are
    then compared (`archive/parts.py`)."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="parts")
    part = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="part_of")
    whole = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="parts")
    note = models.CharField(max_length=300, blank=True, help_text="What says so: “85 of those 232 cases”.")

    objects = PartOfManager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["operation", "whole", "part"]
        verbose_name = "part and whole"
        verbose_name_plural = "parts and wholes"
        constraints = [
            models.UniqueConstraint(fields=["operation", "part", "whole"], name="part_of_unique"),
            models.CheckConstraint(condition=~Q(part=models.F("whole")), name="part_of_not_itself"),
        ]

    def __str__(self):
        return f"{self.part} within {self.whole} in {self.operation}"

    def natural_key(self):
        return (self.operation.slug, self.part.slug, self.whole.slug)

    natural_key.dependencies = ["archive.operation", "archive.organisation"]

    def clean(self):
        if self.part_id is None or self.whole_id is None or self.operation_id is None:
            return
        if self.part_id == self.whole_id:
            raise ValidationError({"whole": "An organisation or scope cannot be part of itself."})
        reverse = PartOf.objects.filter(operation_id=self.operation_id, part_id=self.whole_id, whole_id=self.part_id)
        if reverse.exists():
            raise ValidationError({"whole": f"{self.whole} is already stated as part of {self.part} here."})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class ArticleManager(SlugManager.from_queryset(ArticleQuerySet)):
    pass


class Article(SlugModel):
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=500)
    url = models.URLField(
        "address", max_length=1000, blank=True, help_text="The page the text was saved from, when known."
    )
    published_on = models.DateField(null=True, blank=True, help_text="Leave empty when the source gives no date.")
    byline = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=10, default="en")
    body = models.TextField(help_text="The article text as archived: the evidence every quote points into.")
    provenance = models.TextField(
        "provenance note", blank=True, help_text="Where the text and its metadata come from, what was left out."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    copy_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="copies",
        verbose_name="copy of",
        help_text="The article this one reprints (syndicated or mirrored, the same text): its claims are "
        "then not an independent source.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleManager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="article_url_unique_when_known"),
            choices_check("status", Status, "article_status_valid"),
            models.CheckConstraint(
                condition=~Q(copy_of=models.F("pk")),
                name="article_not_copy_of_itself",
                violation_error_message="An article cannot be a copy of itself.",
            ),
        ]
        indexes = [
            # The public lists: published articles, newest first.
            models.Index(fields=["status", "-published_on"], name="article_published_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("archive:article_detail", args=[self.slug])

    def claims_orphaned_by(self, body):
        """The saved claims whose quote would no longer appear in `body`. A claim whose quote the
        same save changes (`quote_edits`: claim id -> its new quote, or None when it is deleted)
        is judged by its new quote: a typo fixed in the body and in its quotes at once."""
        if not self.pk:
            return []
        from .locating import Body

        edits, prepared = getattr(self, "quote_edits", {}), Body(body)
        return [
            claim
            for claim in self.claims.select_related("figure")
            if (quote := edits.get(claim.pk, claim.quote)) is not None
            and any(prepared.find(words) is None for words in (quote, claim.origin_words, claim.speaker_title) if words)
        ]

    def clean(self):
        if self.pk and (early := early_claims(self.claims.all(), published=self.published_on)):
            raise ValidationError({"published_on": early})
        orphans = self.claims_orphaned_by(self.body)
        if orphans:
            raise ValidationError({"body": orphan_message(orphans)})
        self.check_copy()

    def check_copy(self):
        """A copy points at an original, never at itself or at another copy; an article that has
        copies is an original: so copies never form a chain or a cycle."""
        original = self.copy_of
        if original is None:
            return
        if self.pk and original.pk == self.pk:
            raise ValidationError({"copy_of": "An article cannot be a copy of itself."})
        if original.copy_of_id:
            raise ValidationError(
                {
                    "copy_of": f"“{original}” is itself a copy of “{original.copy_of}”: mark this article as a copy "
                    "of that original instead."
                }
            )
        copies = list(self.copies.order_by("title")[:3]) if self.pk else []
        if copies:
            raise ValidationError(
                {
                    "copy_of": f"Other articles are copies of this one ({'; '.join(f'“{copy}”' for copy in copies)}), "
                    "so it cannot be a copy itself: mark them as copies of the original first."
                }
            )

    def save(self, *args, **kwargs):
        with transaction.atomic():
            # Locked first: a claims import or a claim's save reads the body it locates quotes in
            # under the same lock, so a quote can never be checked against a body being replaced.
            previous = locked_articles([self.pk]).values("body", "status", "outlet_id").first()
            if previous and previous["body"] != self.body:
                orphans = self.claims_orphaned_by(self.body)
                if orphans:
                    raise ValidationError({"body": orphan_message(orphans)})
            super().save(*args, **kwargs)
            if previous and previous["body"] != self.body:
                from .locating import Body

                # Claims whose quote this save edits are located by their own save, which follows.
                body = Body(self.body)
                for claim in self.claims.exclude(pk__in=getattr(self, "quote_edits", {})):
                    claim.article = self
                    claim.locate(body)
                    Claim.objects.filter(pk=claim.pk).update(**claim.located_fields())
                DismissedNumber.follow_body(self)
            if previous and (previous["status"], previous["outlet_id"]) != (self.status, self.outlet_id):
                from .derivation import refresh_figures

                refresh_figures(Claim.objects.filter(article=self).values_list("figure_id", flat=True))


class DismissedNumber(models.Model):
    """A number an article prints that an editor has marked as no figure ("the first 10 months"):
    counted as handled by the article's coverage, with who dismissed it and when. Undone by
    deleting it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="dismissed_numbers")
    start = models.PositiveIntegerField()
    text = models.CharField(max_length=200, help_text="The number as printed, to follow it through body edits.")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "start"], name="dismissed_number_unique")]

    def __str__(self):
        return f"“{self.text}” in “{self.article}”: not a figure"

    @classmethod
    def follow_body(cls, article):
        """After `article`'s body changed: each dismissal moves to the same number where the new
        body prints it nearest to where it was, or goes when the body prints it no more."""
        numbers = printed_numbers.figures_in(article.body)
        dismissals = list(cls.objects.filter(article=article).order_by("start"))
        moved, taken = {}, set()
        for dismissed in dismissals:
            same = [number.start for number in numbers if number.text == dismissed.text and number.start not in taken]
            if same:
                moved[dismissed.pk] = min(same, key=lambda at: abs(at - dismissed.start))
                taken.add(moved[dismissed.pk])
        cls.objects.filter(pk__in=[d.pk for d in dismissals if d.pk not in moved]).delete()
        # Out of the way first: two dismissals may swap places.
        cls.objects.filter(pk__in=moved).update(start=models.F("start") + len(article.body) + 1)
        for pk, start in moved.items():
            cls.objects.filter(pk=pk).update(start=start)


def orphan_message(claims):
    listed = "; ".join(f"claim {claim.pk} ({claim.figure}: “{claim.quote[:80]}”)" for claim in claims)
    return (
        f"This edit would remove the quoted text of {len(claims)} claim(s) from the body: {listed}. "
        "Edit or delete those claims first."
    )


class Figure(SlugModel):
    """One quantity sources report: what is counted, by whom or over what scope, when."""

    title = models.CharField(max_length=300, help_text="“Waste seized by China customs in Operation Demeter V”")
    measure = models.CharField(max_length=40, choices=Measure.choices)
    subject = models.CharField(max_length=200, blank=True, help_text="What is counted: “solid waste”, “ivory”.")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="figures",
        help_text="Who the figure is about, or the scope it covers.",
    )
    operation = models.ForeignKey(Operation, null=True, blank=True, on_delete=models.PROTECT, related_name="figures")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=FigureStatus.choices, default=FigureStatus.UNSOURCED, editable=False
    )
    # Kept with the status from the published claims. A figure is public when it has a source;
    # the lists count, sort and facet by these instead of aggregating every claim.
    source_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Published articles that give the figure a value."
    )
    published_claim_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Published claims of the figure."
    )
    possible_misattributions = models.ManyToManyField(
        "self",
        symmetrical=True,
        blank=True,
        editable=False,
        help_text="Figures of the same operation for another actor or scope with a value another source gives here.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        constraints = [
            choices_check("measure", Measure, "figure_measure_valid"),
            choices_check("status", FigureStatus, "figure_status_valid"),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="figure_period_ends_after_start",
            ),
        ]
        indexes = [
            # Public list filtered by status, disputed first on the home page.
            models.Index(fields=["status", "title"], name="figure_status_idx"),
            # The claims list's default order (by figure title, a join: without it every claim is
            # sorted to show fifty), the figure list by title, the admin's figure list.
            models.Index(fields=["title", "id"], name="figure_title_idx"),
            # The public figure lists by status (their default order, and the home page's most
            # disputed figures) and by sources: a page of 25 read from the index, from either end,
            # instead of a sort of every public figure.
            models.Index(status_rank(), "title", "id", condition=Q(source_count__gt=0), name="figure_status_rank_idx"),
            models.Index(
                models.F("source_count").desc(),
                "title",
                "id",
                condition=Q(source_count__gt=0),
                name="figure_sources_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("archive:figure_detail", args=[self.slug])

    @property
    def dimension(self):
        return MEASURE_DIMENSION[self.measure]

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period cannot end before it starts."})
        if self.pk and self.measure:
            wrong = self.claims.exclude(unit__in=units_for(self.measure)).first()
            if wrong:
                raise ValidationError(
                    {
                        "measure": f"Claim {wrong.pk} is in {wrong.get_unit_display()}, which cannot measure "
                        f"{Measure(self.measure).label}."
                    }
                )
        if self.pk and (early := early_claims(self.claims.all(), start=self.period_start)):
            raise ValidationError({"period_start": early})

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.pk:
                # Its operation may change: lock the one it leaves as well as the one it joins.
                lock_figures([self.pk], operations=[self.operation_id])
            super().save(*args, **kwargs)
            self.refresh_derived(locked=True)

    def refresh_derived(self, locked=False):
        """Recompute the status, counts and hints (`archive/derivation.py`), and read the new status
        and counts into this instance."""
        from .derivation import refresh_figures

        self.status, self.source_count, self.published_claim_count = refresh_figures([self.pk], locked)[self.pk]


class ClaimQuerySet(models.QuerySet):
    def published(self):
        """Claims readers may see: published, in a published article."""
        return self.filter(status=Status.PUBLISHED, article__status=Status.PUBLISHED)


class ClaimManager(models.Manager.from_queryset(ClaimQuerySet)):
    def get_by_natural_key(self, article_slug, figure_slug, quote_start):
        return self.get(article__slug=article_slug, figure__slug=figure_slug, quote_start=quote_start)


class Claim(VersionedModel):
    """One number as one article states it, for one figure."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    figure = models.ForeignKey(Figure, on_delete=models.PROTECT, related_name="claims")
    value = models.DecimalField(max_digits=24, decimal_places=6)
    value_high = models.DecimalField(
        "high value",
        max_digits=24,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="The top of a range the quote prints (“3,000 to 4,000”, with 3,000 as the value); "
        "empty for a single number.",
    )
    unit = models.CharField(max_length=10, choices=Unit.choices)
    bound = models.CharField(max_length=10, choices=Bound.choices, default=Bound.EXACT)
    stated_on = models.DateField(
        "stated on",
        null=True,
        blank=True,
        help_text="When the number was stated or is valid as of (a press conference); empty: the article's date.",
    )
    quote = models.TextField(help_text="The sentence or phrase, verbatim from the article body, that prints the value.")
    speaker = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text="Who the article attributes the number to, if anyone.",
    )
    speaker_title = models.CharField(
        max_length=300,
        blank=True,
        help_text="The speaker's title as this article prints it, verbatim: “director of the anti-smuggling "
        "bureau”, “a GACC official”.",
    )
    origin = models.ForeignKey(
        Origin,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text="What the article attributes the number to: a person, an organisation or an event.",
    )
    origin_words = models.CharField(
        max_length=300,
        blank=True,
        help_text="The article's words naming the origin, verbatim: “According to the conference”, “Sun said”.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(blank=True)
    # Derived on save from the article body and the value; never typed.
    quote_start = models.PositiveIntegerField(editable=False)
    quote_end = models.PositiveIntegerField(editable=False)
    value_start = models.PositiveIntegerField(editable=False)
    value_end = models.PositiveIntegerField(editable=False)
    value_printed = models.CharField(max_length=200, editable=False)
    normalised_value = models.DecimalField(max_digits=30, decimal_places=6, editable=False)
    normalised_precision = models.DecimalField(max_digits=30, decimal_places=6, editable=False)
    normalised_high = models.DecimalField(max_digits=30, decimal_places=6, null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimManager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "quote_start"]
        constraints = [
            models.UniqueConstraint(fields=["article", "figure", "quote_start"], name="claim_unique_per_spot"),
            choices_check("unit", Unit, "claim_unit_valid"),
            choices_check("bound", Bound, "claim_bound_valid"),
            choices_check("status", Status, "claim_status_valid"),
            models.CheckConstraint(condition=~Q(quote=""), name="claim_quote_not_empty"),
            models.CheckConstraint(condition=Q(quote_end__gt=models.F("quote_start")), name="claim_quote_span_valid"),
            models.CheckConstraint(
                condition=Q(value_start__gte=models.F("quote_start")) & Q(value_end__lte=models.F("quote_end")),
                name="claim_value_inside_quote",
            ),
            models.CheckConstraint(
                condition=Q(value_high__isnull=True) | Q(value_high__gt=models.F("value")), name="claim_range_ordered"
            ),
        ]
        indexes = [
            # Misattribution hints: the same value within one operation.
            models.Index(fields=["normalised_value"], name="claim_normalised_value_idx"),
            # A figure's published claims: the refresh of its derived fields, its page, the
            # figure list's outlet filter and facet read the index alone, not the claims' rows.
            models.Index(
                fields=["figure", "article"], condition=Q(status=Status.PUBLISHED), name="claim_published_figure_idx"
            ),
        ]

    def __str__(self):
        return f"{self.value_printed or self.value} in “{self.article}”"

    def natural_key(self):
        return (self.article.slug, self.figure.slug, self.quote_start)

    natural_key.dependencies = ["archive.article", "archive.figure"]

    def locate(self, body=None):
        """Find the quote in the body and the value in the quote, or raise ValidationError
        naming the field at fault (the rule: `archive/locating.py`). Sets the derived position
        and value fields. `body`: the article's body prepared by `locating.Body`, when many
        claims of the article are located at once."""
        from .locating import Body, locate

        locate(self, body or Body(self.article.body))

    def located_fields(self):
        return {
            name: getattr(self, name)
            for name in (
                "quote_start",
                "quote_end",
                "value_start",
                "value_end",
                "value_printed",
                "normalised_value",
                "normalised_precision",
                "normalised_high",
            )
        }

    def clean(self):
        if self.article_id is None or self.figure_id is None or self.value is None or not self.unit:
            return  # the form reports the missing field itself
        self.locate()

    def save(self, *args, **kwargs):
        with transaction.atomic():
            # Located in the body as committed, which no one may replace until this commits.
            body = locked_articles([self.article_id]).values_list("body", flat=True).first()
            if body is not None:
                self.article.body = body
            self.locate()
            previous_figure_id = Claim.objects.filter(pk=self.pk).values_list("figure_id", flat=True).first()
            super().save(*args, **kwargs)
            from .derivation import refresh_figures

            derived = refresh_figures({self.figure_id, previous_figure_id})
            # Whoever saved the claim may read its figure's new status from it.
            self.figure.status, self.figure.source_count, self.figure.published_claim_count = derived[self.figure_id]


def format_decimal(value):
    """1237.000000 -> "1,237"; 1.640000 -> "1.64"."""
    value = Decimal(value).normalize()
    if value == value.to_integral():
        return f"{value:,.0f}"
    return f"{value:,f}"


@receiver(post_delete, sender=Claim)
def refresh_figure_after_claim_deleted(sender, instance, **kwargs):
    from .derivation import refresh_figures

    refresh_figures([instance.figure_id])


# Every writer takes its row locks in one order, articles, then claims, then operations, then
# figures, each kind by primary key, so that no two writers ever wait on each other in a circle.
# FOR NO KEY UPDATE: it excludes other writers of the row but not the inserts that refer to it.


def locked_articles(ids):
    """The articles, locked as they are read until the transaction ends: their bodies cannot
    change meanwhile."""
    return Article.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")


def lock_figures(ids, operations=()):
    """Lock the figures and their operations (and `operations`) until the transaction ends,
    before their derived fields are recomputed: a figure's hints compare it with the other
    figures of its operation, so two recomputations in one operation must not overlap."""
    ids = sorted(set(ids) - {None})
    operation_ids = set(operations) - {None}
    for chunk in batched(ids):
        operation_ids.update(
            Figure.objects.filter(pk__in=chunk, operation__isnull=False).values_list("operation_id", flat=True)
        )
    for model, pks in ((Operation, sorted(operation_ids)), (Figure, ids)):
        for chunk in batched(pks):
            list(model.objects.select_for_update(no_key=True).filter(pk__in=chunk).order_by("pk").values_list("pk"))


IMPORT_LOCK = 0x41524348  # any fixed number: the key of the lock every import holds


def lock_imports(using="default"):
    """Imports run one at a time (PostgreSQL's advisory lock, held until the transaction ends):
    each locks many articles in file order, and two such orders could each wait on the other.
    SQLite lets only one transaction write at a time anyway."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


def batched(iterable, size=1000):
    """Lists of `size` items from `iterable`, the last one shorter (itertools.batched from 3.12)."""
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


class DataVersion(models.Model):
    """One row whose number every committed write to the archive's tables raises, through
    database triggers (migration 0004), bulk imports and raw updates included. Public pages
    are cached under it, so a change shows on the next request. A table added later needs
    its trigger too (`data_version_triggers` in that migration). A trigger on this row itself
    (migration 0010) sets `changed_at` whenever the version rises: the time public pages give
    as their Last-Modified."""

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)
    # The change log holds every change of a later version, older ones pruned (migration 0016);
    # none before the first pruning. (Nullable: SQLite adds it without rebuilding the table.)
    log_from = models.BigIntegerField(null=True)
    # This database's own, drawn once (migration 0016): pages are cached under it, so a database
    # restored or made afresh, whose versions start again, is never served another's pages.
    epoch = models.BigIntegerField(null=True)

    def __str__(self):
        return f"data version {self.version}"

    @classmethod
    def current(cls):
        """None when the row is missing (a flushed test database): then nothing may be cached."""
        return cls.objects.filter(pk=1).values_list("version", flat=True).first()

    @classmethod
    def state(cls):
        """(version, changed_at, log_from, epoch), or None when the row is missing, in one query."""
        return cls.objects.filter(pk=1).values_list("version", "changed_at", "log_from", "epoch").first()


class Change(models.Model):
    """A scope of public pages (`figure:12`, `article:5`, `operation:3`, `outlet:2`, `operations`:
    every operation page, `rare`: every detail page) that a committed write changed, and the data
    version it committed as. Written by database triggers in the writing transaction (migration
    0016), so a page computed at one version is still good at a later one if no change to its
    scopes lies between them."""

    scope = models.CharField(max_length=40)
    version = models.BigIntegerField(null=True)  # set as the transaction commits
    txid = models.BigIntegerField(null=True)  # PostgreSQL's transaction, until it has its version

    class Meta:
        # The validity check: any change to these scopes between two versions.
        indexes = [
            models.Index(fields=["scope", "version"], name="change_scope_version_idx"),
            # The pruning, which runs as a transaction commits.
            models.Index(fields=["version"], name="change_version_idx"),
        ]
        # One row a scope in each transaction; the commit finds its rows by it.
        constraints = [models.UniqueConstraint(fields=["txid", "scope"], name="change_txid_scope_unique")]

    def __str__(self):
        return f"{self.scope} at {self.version}"

    @classmethod
    def any_between(cls, scopes, after, upto):
        """Whether a write committed after version `after`, up to `upto`, changed one of `scopes`."""
        return cls.objects.filter(scope__in=scopes, version__gt=after, version__lte=upto).exists()
