"""Importing claims in bulk.

django-import-export's row loop saves one claim at a time, and `Claim.save()` then
refreshes the claim's figure (its status and its misattribution hints: several queries),
which holds it to a few hundred rows a second. Claims come by the hundred thousand, so
they take this path instead, with the same resource's fields reading every cell:

1. rows are read in batches, each distinct cell of a column read once by its widget; each
   batch costs a few queries (its articles' bodies, its figures' measures, the claims these
   articles already have);
2. each row is checked in memory with the model's own rules (archive/locating.py: quote in
   the body, value printed in the quote, bound and unit) and matched to an existing claim
   by article, figure and quote position, the database's unique key. A row that states
   exactly what the stored claim of its article, figure and quote holds changes nothing and
   is not located again (see `ClaimImport.unchanged`);
3. new and changed claims are written in bulk, with their history, inside one transaction
   (on PostgreSQL through COPY, changes by way of a temporary table and one UPDATE, history
   rows copied from the claims' rows by the database); on PostgreSQL a batch's COPY runs while
   Python checks the next batch, so the database's work (the indexes, above all the quote's
   trigrams) and Python's overlap on two cores;
4. at the end the affected figures are refreshed once each, set-wise (archive/derivation.py).

Any problem anywhere rolls the whole transaction back, as for every other kind.
"""

import gc
from contextlib import contextmanager
from functools import partial
from itertools import repeat
from operator import attrgetter, itemgetter
from types import MappingProxyType

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connections, router, transaction
from django.db.models import NOT_PROVIDED
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.utils import timezone
from import_export.results import RowResult
from psycopg.copy import QueuedLibpqWriter

from archive.derivation import refresh_figures
from archive.locating import Body, locate, quote_not_found
from archive.models import Article, Claim, Figure, batched, lock_imports, locked_articles
from archive.printed_numbers import figures_in

from .cells import read_as_is
from .derived import Flags, notices
from .reading import Problem
from .widgets import TextWidget

BATCH = 2000
ANALYSE_AFTER = 10_000  # new claims
# The columns the refresh's queries choose claims by: their statistics are all its plans need,
# and the quote's, which take longest to gather, wait for the command's ANALYZE after the commit.
PLANNED = ("figure_id", "article_id", "status", "normalised_value")
PREVIEW_ROWS = 100
# A row's article and figure, with where its quote starts, find the claim it updates.
IDENTITY = ("article_id", "figure_id")
LOCATED = tuple(Claim().located_fields())
# Every column of the table with its default, which a new claim starts from.
DEFAULTS = {field.attname: field.get_default() for field in Claim._meta.concrete_fields}
FIGURE_DEFAULTS = {field.attname: field.get_default() for field in Figure._meta.concrete_fields}
CLAIM_COLUMNS = list(DEFAULTS)
TIMES = ("created_at", "updated_at")
REQUIRED_CELLS = ("quote", "value", "unit")
# Required cells a row may leave empty when its quote prints exactly one number, which gives them.
READ_FROM_TEXT = ("value", "unit")
TO_READ = object()
# The distinct cells of a column whose reading is remembered: enough for every article, figure
# and person a file names, and a bound on the memory an import holds whatever its length.
REMEMBERED_CELLS = 50_000
NO_PROBLEMS = MappingProxyType({})


class Bodies(dict):
    """Articles' bodies prepared for locating quotes (`locating.Body`), each when first needed:
    a file of rows that change nothing needs none."""

    def __init__(self, articles, prepared=()):
        super().__init__(prepared)
        self.articles = articles

    def __missing__(self, pk):
        body = self[pk] = Body(self.articles[pk].body)
        return body


class Refused(str):
    """A cell's widget's reason for refusing it."""


class Cleaned(dict):
    """A column's cells as its widget reads them, each distinct cell read once: the widgets of
    references, vocabularies and numbers give the same answer for the same cell throughout an
    import (a reference's names are loaded once), and a file names each article twenty times."""

    def __init__(self, clean):
        super().__init__()
        self.clean = clean

    def __missing__(self, cell):
        value = self.clean(cell)
        if len(self) < REMEMBERED_CELLS:
            self[cell] = value
        return value


class Empty(Refused):
    """The reason for refusing an empty cell every claim needs."""


EMPTY = Empty("is empty: every claim needs one")
REFUSALS = {Refused, Empty}


def reader(field, required=False):
    """A function from a column's cells to their values (the field's default for an empty cell,
    when it has one), or to the `Refused` reason for each. Each distinct cell is read once but
    for text, which differs on nearly every row, and whose cells are mostly their own values."""
    clean, default = field.widget.clean, field.default

    def read(cell):
        try:
            value = clean(cell)
        except ValueError as error:
            return Refused(error)
        if value is None or value.__class__ is str and value == "":
            if default is not NOT_PROVIDED:
                value = default
            if required and (value is None or value == ""):
                return EMPTY
        return value

    if not isinstance(field.widget, TextWidget):
        cleaned = Cleaned(read).__getitem__
        return lambda cells: list(map(cleaned, cells))
    empty_is_empty = default is NOT_PROVIDED and not required

    def read_texts(cells):
        if (empty_is_empty or "" not in cells) and read_as_is(cells):
            return list(cells)
        return list(map(read, cells))

    return read_texts


class ClaimImport:
    def __init__(self, resource, user=None):
        self.resource = resource
        self.fields = {field.column_name: field for field in resource.get_import_fields()}
        self.editable = editable(resource)
        # What an update writes: the same columns as a save of the claim.
        self.updated = [*self.editable, *LOCATED, "version", "updated_at"]
        self.user = user
        self.report = resource.get_result_class()()
        self.seen = {}  # (article, figure, quote start) -> row number
        self.affected = set()
        self.articles, self.figures = {}, {}
        self.locked = set()  # the articles locked so far
        self.bodies = Bodies(self.articles)
        self.using = router.db_for_write(Claim)

    def run(self, dataset, dry_run=False):
        rows = dataset.numbered_rows() if hasattr(dataset, "numbered_rows") else enumerate(dataset, 2)
        self.report.diff_headers = list(dataset.headers)
        with transaction.atomic(using=self.using), cycles_uncollected():
            lock_imports(self.using)
            before = Flags.now()
            readers = self.readers(dataset.headers)
            batches = batched(rows, BATCH)
            # The previous batch is written while this one is checked and the next one read: on
            # PostgreSQL the database's work on it (its indexes above all) runs beside these.
            ahead = {"checked": None}
            self.read(ahead, readers, batches)
            while ahead["parsed"]:
                parsed, checked = ahead["parsed"], ahead["checked"]
                existing = self.load(parsed)
                check = partial(self.checked, ahead, dataset.headers, parsed, existing, preview=dry_run)
                read = partial(self.read, ahead, readers, batches)
                if checked:
                    self.write(*checked, log=not dry_run, meanwhile=check, then=read)
                else:
                    check()
                    read()
            if ahead["checked"]:
                self.write(*ahead["checked"], log=not dry_run)
            self.report.problems = sorted(
                [*self.report.problems, *getattr(dataset, "problems", [])], key=lambda problem: problem.row or 0
            )
            if not self.report.problems:
                self.analyse()
                refresh_figures(self.affected)
                self.report.notices = [*self.report.notices, *notices(before, Flags.now())]
            if self.report.problems or dry_run:
                transaction.set_rollback(True, using=self.using)
        return self.report

    def readers(self, header):
        """For each column of the file: (column, attribute, its reader)."""
        fields = [self.fields[column] for column in header]
        self.attributes = [field.attribute for field in fields]
        self.position = {attribute: index for index, attribute in enumerate(self.attributes)}
        # A row's values in the file's order give its (article, figure, quote) and the columns
        # it states of its claim; a stored claim is read with those columns first (`load`).
        self.identity = itemgetter(*(self.position[name] for name in ("article_id", "figure_id", "quote")))
        stated = [name for name in self.attributes if name in self.editable]
        self.stated = tuple_getter([self.position[name] for name in stated])
        self.fetched = [*stated, *(name for name in self.editable if name not in stated)]
        return [
            (column, field.attribute, reader(field, column in REQUIRED_CELLS))
            for column, field in zip(header, fields, strict=True)
        ]

    def read(self, ahead, readers, batches):
        ahead["parsed"] = self.parse(readers, next(batches, []))

    def checked(self, ahead, *args, **kwargs):
        ahead["checked"] = self.check(*args, **kwargs)

    def parse(self, readers, batch):
        """(row number, cells, values, {column: problem}) for each row of a batch. The values of a
        row whose every cell was read are the tuple of them in the file's column order; the others'
        are a dict by attribute, without the refused cells (see `values`).

        Read a column at a time: most columns hold a few distinct cells, read once each."""
        if not batch:
            return []
        numbers, rows = zip(*batch, strict=True)
        read = [reading(cells) for (_, _, reading), cells in zip(readers, zip(*rows, strict=True), strict=True)]
        refusing = [index for index, values in enumerate(read) if REFUSALS & {*map(type, values)}]
        if not refusing:
            return list(zip(numbers, rows, zip(*read, strict=True), repeat(NO_PROBLEMS), strict=False))
        attributes = [attribute for _, attribute, _ in readers]
        parsed = []
        for number, cells, row in zip(numbers, rows, zip(*read, strict=True), strict=True):
            refused = [index for index in refusing if type(row[index]) is Refused]
            empty = [index for index in refusing if type(row[index]) is Empty]
            if not refused and not empty:
                parsed.append((number, cells, row, NO_PROBLEMS))
                continue
            values, errors = dict(zip(attributes, row, strict=True)), {}
            # The cells refused in the order of the file's columns, then the empty ones that
            # every claim needs, in the order of REQUIRED_CELLS.
            for index in [*refused, *sorted(empty, key=lambda index: REQUIRED_CELLS.index(readers[index][0]))]:
                if index in empty and readers[index][0] in READ_FROM_TEXT:
                    values[attributes[index]] = TO_READ  # the quote's one number says (`read_from_text`)
                    continue
                errors[readers[index][0]] = str(row[index])
                del values[attributes[index]]
            parsed.append((number, cells, values, errors))
        return parsed

    def values(self, row):
        """A row's values by attribute (see `parse`)."""
        return row if type(row) is dict else dict(zip(self.attributes, row, strict=True))

    def load(self, parsed):
        """What checking a batch needs from the database, its articles locked until the import ends:
        the claims of its articles, by (article, figure, quote start) and by (article, figure, quote);
        the rows that state exactly what the stored claim of their article, figure and quote holds,
        which change nothing, by row number; and, for the other rows, their articles' bodies and
        their figures' measures."""
        article_ids = {self.value(row, "article_id") for _, _, row, errors in parsed if "article" not in errors}
        self.lock_articles(article_ids - self.locked)
        stored = (
            Claim.objects.filter(article_id__in=self.among(article_ids))
            .select_for_update()
            .order_by()
            .values_list("article_id", "figure_id", "pk", "version", "quote_start", *self.fetched)
        )
        quote = 5 + self.fetched.index("quote")
        by_quote = {(claim[0], claim[1], claim[quote]): claim for claim in stored}
        unchanged, to_check = {}, []
        stated = len(self.stated(self.attributes))  # how many columns a row states
        for number, _, row, errors in parsed:
            if type(row) is tuple:
                key = self.identity(row)
                found = by_quote.get(key)
                if found and found[5 : 5 + stated] == self.stated(row):
                    unchanged[number] = (key[0], key[1], found[4])
                    continue
            to_check.append((row, errors))
        by_start = {claim[0:2] + claim[4:5]: claim for claim in by_quote.values()} if to_check else {}
        self.load_articles({self.value(row, "article_id") for row, errors in to_check if "article" not in errors})
        self.load_figures({self.value(row, "figure_id") for row, errors in to_check if "figure" not in errors})
        return by_start, by_quote, unchanged

    def value(self, row, name):
        return row[name] if type(row) is dict else row[self.position[name]]

    def current(self, found):
        """What the stored claim `load` found holds, by attribute."""
        return dict(zip(self.fetched, found[5:], strict=True))

    def check(self, header, parsed, existing, preview=False):
        """Claims to create and claims to update, from one batch of rows; problems go to the report.

        Runs no query: on PostgreSQL the previous batch is being copied meanwhile."""
        by_start, by_quote, unchanged = existing
        creates, updates = [], []
        now = timezone.now()
        bound_column = header.index("bound") if "bound" in header else None
        for number, cells, values, errors in parsed:
            row = dict(zip(header, cells, strict=True)) if preview else None
            if number in unchanged:
                self.unchanged_row(number, *unchanged[number], row)
                continue
            values = self.values(values)
            if not errors and TO_READ in values.values():
                bound_empty = bound_column is None or not cells[bound_column].strip()
                errors = self.read_from_text(number, values, bound_empty)
            if not errors:
                found = by_quote.get((values["article_id"], values["figure_id"], values["quote"]))
                if found and self.unchanged(values, self.current(found)):
                    self.unchanged_row(number, values["article_id"], values["figure_id"], found[4], row)
                    continue
                claim = self.new_claim(values)
                try:
                    locate(claim, self.bodies[claim.article_id])
                except ValidationError as error:
                    errors = {column: " ".join(messages) for column, messages in error.message_dict.items()}
            if errors:
                self.report.problems.extend(Problem(number, column, message) for column, message in errors.items())
                self.report.totals[RowResult.IMPORT_TYPE_INVALID] += 1
                continue
            key = (claim.article_id, claim.figure_id, claim.quote_start)
            if key in self.seen:
                message = f"row {self.seen[key]} already imports this claim (same article, figure and quote)"
                self.report.problems.append(Problem(number, "quote", message))
                continue
            self.seen[key] = number
            found = by_start.get(key)
            if found:
                pk, version, current = found[2], found[3], self.current(found)
                for name in self.editable:
                    if name not in values:
                        setattr(claim, name, current[name])
                if all(getattr(claim, name) == current[name] for name in self.editable):
                    self.count(RowResult.IMPORT_TYPE_SKIP, row)
                    continue
                claim.pk, claim.version, claim.updated_at = pk, version + 1, now
                updates.append(claim)
                self.count(RowResult.IMPORT_TYPE_UPDATE, row)
            else:
                claim.created_at = claim.updated_at = now
                creates.append(claim)
                self.count(RowResult.IMPORT_TYPE_NEW, row)
            self.affected.add(claim.figure_id)
        return creates, updates, now

    def read_from_text(self, number, values, bound_empty):
        """Fill a row's empty value and unit (and its bound, when empty too) from the one number
        its quote prints, saying so in the report; or return the problems that prevent it."""
        body = self.bodies[values["article_id"]]
        span = body.find(values["quote"])
        if span is None:
            return {"quote": quote_not_found(self.articles[values["article_id"]])}
        passage = body.text[span[0] : span[1]]
        printed = figures_in(passage)
        empty = [name for name in ("value", "unit") if values.get(name) is TO_READ]
        if len(printed) != 1:
            listed = ", ".join(f"“{one.text}”" for one in printed) or "no number"
            return {name: f"is empty, and the quote prints {listed}, not exactly one number: give it" for name in empty}
        [one] = printed
        if values.get("value") is TO_READ:
            values["value"], values["value_high"] = one.value, one.high
            if bound_empty:
                values["bound"] = one.bound
        if values.get("unit") is TO_READ:
            if one.unit is None:
                return {"unit": f"is empty, and the quote prints no unit after “{one.text}”: give one"}
            values["unit"] = one.unit
        read = f"{', '.join(empty)}{' and bound' if bound_empty and 'value' in empty else ''}"
        self.report.notices.append(f"row {number}: {read} read from the quote, which prints “{one.printed}”")
        return {}

    def unchanged(self, values, current):
        """Whether a row states exactly what the stored claim of its article, figure and quote
        holds. Such a row changes nothing and is not located again: the claim was located from
        this very quote, value, unit and bound in this very body, since a body is never replaced
        without every claim in it being located again, under the article's lock, which this
        import holds (`Article.save`); and the figure's measure never changes to one its claims'
        units cannot measure (`Figure.clean`)."""
        return all(values[name] == current[name] for name in values if name in current)

    def unchanged_row(self, number, article_id, figure_id, quote_start, row):
        key = (article_id, figure_id, quote_start)
        if key in self.seen:
            message = f"row {self.seen[key]} already imports this claim (same article, figure and quote)"
            self.report.problems.append(Problem(number, "quote", message))
            return
        self.seen[key] = number
        self.count(RowResult.IMPORT_TYPE_SKIP, row)

    def new_claim(self, values):
        """A claim of the row's values, with its article and figure."""
        claim = instance(Claim, DEFAULTS, values)
        claim._state.fields_cache = {
            "article": self.articles[claim.article_id],
            "figure": self.figures[claim.figure_id],
        }
        return claim

    def analyse(self):
        """After many new claims, update PostgreSQL's statistics of the table (inside this
        transaction), so the refresh's queries are planned for the table as it now is: planned
        for the empty table it was, one of them took minutes instead of a second."""
        connection = connections[self.using]
        if connection.vendor == "postgresql" and self.report.created >= ANALYSE_AFTER:
            quote = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(
                    f"ANALYZE {quote(Claim._meta.db_table)} ({', '.join(map(quote, columns(Claim, PLANNED)))})"
                )

    def among(self, ids):
        """`ids` for an `__in` filter: on PostgreSQL as one array, since a parameter for each of
        thousands of ids cost more to send than the query took to run."""
        if connections[self.using].vendor == "postgresql":
            return RawSQL("SELECT unnest(%s::bigint[])", [sorted(ids)])
        return ids

    def load_figures(self, ids):
        """What checking a claim needs of its figure (its measure, title and period start), kept for
        the whole import."""
        missing = ids - self.figures.keys()
        if not missing:
            return
        checked = ("id", "measure", "title", "period_start")  # the unit's dimension, the claim's dates
        for values in Figure.objects.filter(pk__in=self.among(missing)).order_by().values(*checked):
            self.figures[values["id"]] = instance(Figure, FIGURE_DEFAULTS, values)

    def lock_articles(self, ids):
        """Lock the articles until the import ends: a body cannot change under the quotes located
        in it, nor under the stored claims a row is found to state unchanged."""
        if ids:
            list(locked_articles(self.among(ids)).values_list("pk"))
            self.locked |= ids

    def load_articles(self, ids):
        """The bodies of these articles, kept from the last batch when it had them."""
        missing = ids - self.articles.keys()
        self.articles = {pk: self.articles[pk] for pk in ids & self.articles.keys()}
        self.bodies = Bodies(self.articles, {pk: self.bodies[pk] for pk in self.articles if pk in self.bodies})
        if missing:
            for article in Article.objects.filter(pk__in=self.among(missing)).only("title", "body", "published_on"):
                self.articles[article.pk] = article

    def count(self, import_type, row=None):
        self.report.totals[import_type] += 1
        if row is not None and len(self.report.rows) < PREVIEW_ROWS:
            result = RowResult()
            result.import_type = import_type
            result.diff = [row.get(column, "") for column in self.report.diff_headers]
            self.report.rows.append(result)

    def write(self, creates, updates, now, log=True, meanwhile=lambda: None, then=lambda: None):
        """Write the claims `check` gave, calling `meanwhile()` and then `then()`. On PostgreSQL
        `meanwhile()` runs while the database works on the new claims' COPY, which a thread sends,
        so it must run no query; elsewhere it runs after the writes."""
        if self.report.problems:
            meanwhile()
            then()
            return
        if connections[self.using].vendor != "postgresql":
            Claim.objects.bulk_create(creates, batch_size=BATCH)
            Claim.history.bulk_history_create(creates, batch_size=BATCH, default_user=self.user)
            self.execute_updates(self.created(updates))
            Claim.history.bulk_history_create(
                updates, batch_size=BATCH, update=True, default_user=self.user, default_date=now
            )
            meanwhile()
            then()
        else:
            with connections[self.using].cursor() as cursor:
                with self.copying_in(cursor, creates, now):
                    meanwhile()
                self.copy_history(cursor, creates, "+", now)
                self.copy_updates(updates, now)
            then()
        if log and self.user:
            for action, claims in ((ADDITION, creates), (CHANGE, updates)):
                if claims:
                    LogEntry.objects.log_actions(
                        self.user.pk, claims, action, change_message="Imported from CSV", single_object=False
                    )

    @contextmanager
    def copying_in(self, cursor, claims, now):
        """New claims through PostgreSQL's COPY, several times faster than INSERT, sent by a thread
        while the block runs; their ids are taken from the table's sequence first, in file order."""
        if not claims:
            yield
            return
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [Claim._meta.db_table, Claim._meta.pk.column, len(claims)],
        )
        for claim, (pk,) in zip(claims, cursor.fetchall(), strict=True):
            claim.pk = pk
            claim._state.adding, claim._state.db = False, self.using
        values = [name for name in CLAIM_COLUMNS if name not in TIMES]
        stamped = (now.isoformat(), now.isoformat())
        get = attrgetter(*values)
        names = columns(Claim, [*values, *TIMES])
        with copying(cursor, Claim._meta.db_table, names, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
            for claim in claims:
                copy.write_row((*get(claim), *stamped))
            yield

    def created(self, claims):
        """The claims, each with when it was created (for its history row, on SQLite), read for
        the claims that change only: reading it for every claim a file names took a fifth of
        reading them."""
        for chunk in batched(claims):
            found = Claim.objects.filter(pk__in=self.among([claim.pk for claim in chunk]))
            stamps = dict(found.values_list("pk", "created_at"))
            for claim in chunk:
                claim.created_at = stamps[claim.pk]
        return claims

    def copy_updates(self, claims, now):
        """Changed claims through PostgreSQL's COPY into a temporary table, then one UPDATE from it,
        and their history rows through COPY. Django's `bulk_update` sends one UPDATE with a CASE
        per column and claim, which PostgreSQL works through at about a hundred claims a second."""
        if not claims:
            return
        connection = connections[self.using]
        quote = connection.ops.quote_name
        table = quote(Claim._meta.db_table)
        pk, updated = Claim._meta.pk.column, columns(Claim, self.updated)
        get = attrgetter(*self.updated[:-1])  # all but updated_at, which is `now`
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE claim_update ON COMMIT DROP AS SELECT "
                f"{', '.join(quote(column) for column in [pk, *updated])} FROM {table} WITH NO DATA"
            )
            rows = ((claim.pk, *get(claim), now.isoformat()) for claim in claims)
            copy_rows(cursor, "claim_update", [pk, *updated], rows)
            assignments = ", ".join(f"{quote(column)} = claim_update.{quote(column)}" for column in updated)
            matched = f"{table}.{quote(pk)} = claim_update.{quote(pk)}"
            cursor.execute(f"UPDATE {table} SET {assignments} FROM claim_update WHERE {matched}")
            cursor.execute("DROP TABLE claim_update")
            self.copy_history(cursor, claims, "~", now)

    def copy_history(self, cursor, claims, history_type, now):
        """A history row for each claim as the table now holds it, made at `now` by the importing
        user: copied by PostgreSQL from the claims' rows, in one statement a batch, which spares
        Python writing out every claim a second time."""
        if not claims:
            return
        history, quote = Claim.history.model, cursor.db.ops.quote_name
        tracked = [field.attname for field in history._meta.concrete_fields if field.attname in CLAIM_COLUMNS]
        changes = ("history_date", "history_change_reason", "history_type", "history_user_id")
        names = ", ".join(map(quote, columns(history, [*tracked, *changes])))
        values = ", ".join(f"{quote(Claim._meta.db_table)}.{quote(column)}" for column in columns(Claim, tracked))
        pk = quote(Claim._meta.pk.column)
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({names}) SELECT {values}, %s, %s, %s, %s "
            f"FROM {quote(Claim._meta.db_table)} WHERE {pk} = ANY(%s) ORDER BY {pk}",
            [now, "", history_type, self.user.pk if self.user else None, [claim.pk for claim in claims]],
        )

    def execute_updates(self, claims):
        """Changed claims by one parameterised UPDATE run for each (SQLite has no COPY)."""
        if not claims:
            return
        connection = connections[self.using]
        quote = connection.ops.quote_name
        fields = [Claim._meta.get_field(name) for name in self.updated]
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        sql = f"UPDATE {quote(Claim._meta.db_table)} SET {assignments} WHERE {quote(Claim._meta.pk.column)} = %s"
        rows = [
            [*(field.get_db_prep_save(getattr(claim, field.attname), connection) for field in fields), claim.pk]
            for claim in claims
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


@contextmanager
def cycles_uncollected():
    """Python's collector of reference cycles pauses for the block. The import makes none, but
    holds hundreds of thousands of objects (rows, cells, stored claims), which every collection
    walks: collecting took a fifth of the time an unchanged file takes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def tuple_getter(indexes):
    """A function from a sequence to the tuple of its items at `indexes`."""
    if len(indexes) == 1:
        [index] = indexes
        return lambda items: (items[index],)
    return itemgetter(*indexes)


def instance(model, defaults, values):
    """A new instance of `model` with `values` for some fields and `defaults` for the others, as
    `model(**values)` makes it but without its call per field: building claims and figures took
    a tenth of an import's time."""
    made = model.__new__(model)
    made.__dict__.update(defaults)
    made.__dict__.update(values)
    made._state = ModelState()
    return made


def editable(resource):
    """The columns an import may change: every claim column the resource's fields read, but
    the claim's identity. A field reading anything else would be dropped without a word."""
    attributes = [field.attribute for field in resource.get_import_fields()]
    if unknown := [name for name in attributes if name not in CLAIM_COLUMNS]:
        raise ImproperlyConfigured(
            f"{type(resource).__name__} reads {', '.join(map(str, unknown))}, which no claim column stores."
        )
    return [name for name in attributes if name not in IDENTITY]


def columns(model, names):
    return [model._meta.get_field(name).column for name in names]


@contextmanager
def copying(cursor, table, names, writer=None):
    """PostgreSQL's COPY into the columns `names` of `table`. Datetimes are best given as text:
    psycopg writes a datetime ten times slower than it writes the text itself."""
    quote = cursor.db.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    with cursor.cursor.copy(sql, writer=writer) as copy:
        yield copy


def copy_rows(cursor, table, names, rows):
    """Write `rows` into the columns `names` of `table` through COPY."""
    with copying(cursor, table, names) as copy:
        for row in rows:
            copy.write_row(row)
