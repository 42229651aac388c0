"""django-import-export widgets for the archive's CSV cells.

Each widget reads a cell into the value a model field holds (or raises ValueError with a
reason fit for the editor who typed it) and renders a value back into exactly the cell it
reads: the round trip is exact.
"""

from difflib import get_close_matches

from import_export import widgets

from . import cells

# Looking for a near miss costs time per unknown name; only worth it for small tables.
SUGGEST_BELOW = 2000

KEY_LABELS = {"slug": "slug", "url": "address", "name": "name", "short_name": "short name", "aliases__name": "alias"}


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cells.read_text(value or "")

    def render(self, value, obj=None, **kwargs):
        return cells.neutralise(value or "")


class ChoiceWidget(widgets.Widget):
    """One of a vocabulary's stored values; an empty cell means the field's default."""

    def __init__(self, choices, what):
        super().__init__()
        self.choices, self.what, self.values = choices, what, frozenset(choices.values)

    def clean(self, value, row=None, **kwargs):
        value = cells.read_text(value or "")
        return cells.read_choice(value, self.choices, self.what, self.values) if value else None

    def render(self, value, obj=None, **kwargs):
        return cells.neutralise(value or "")


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cells.read_date(value) if value else None

    def render(self, value, obj=None, **kwargs):
        return cells.write_date(value)


class DecimalWidget(widgets.Widget):
    """Plain digits both ways: never a thousands separator, never a trailing zero."""

    def clean(self, value, row=None, **kwargs):
        return cells.read_decimal(value) if value else None

    def render(self, value, obj=None, **kwargs):
        return cells.write_decimal(value)


class Index:
    """The names that find rows of one model, and the name to write for each row.

    A cell is looked up among the keys exactly, in order, then ignoring case, in order;
    the first key with a match decides, and a name shared by several rows is refused as
    ambiguous. A row is written with its first key, in `write_order`, that finds exactly
    that row again.
    """

    def __init__(self, model, keys, rows, write_order=None):
        """`rows` yields (pk, key, value): every value each key gives each row."""
        self.what, self.whats = model._meta.verbose_name, model._meta.verbose_name_plural
        self.keys, self.write_order = keys, write_order or keys
        # value -> pk, or a tuple of pks when several rows share the value
        self.exact = {key: {} for key in keys}
        self._folded = self._names = None
        self.written = {}
        for pk, key, value in rows:
            if value:
                self._add(self.exact[key], value, pk)

    @staticmethod
    def _add(table, value, pk):
        found = table.setdefault(value, pk)
        if found != pk and pk not in (found if isinstance(found, tuple) else (found,)):
            table[value] = (*(found if isinstance(found, tuple) else (found,)), pk)

    @property
    def folded(self):
        """The same tables ignoring case, made when a lookup first needs them."""
        if self._folded is None:
            self._folded = {key: {} for key in self.keys}
            for key, table in self.exact.items():
                for value, found in table.items():
                    for pk in found if isinstance(found, tuple) else (found,):
                        self._add(self._folded[key], value.casefold(), pk)
        return self._folded

    @property
    def names(self):
        """pk -> {key: value}, made when a row is first written."""
        if self._names is None:
            self._names = {}
            for key, table in self.exact.items():
                for value, found in table.items():
                    for pk in found if isinstance(found, tuple) else (found,):
                        self._names.setdefault(pk, {}).setdefault(key, value)
        return self._names

    @classmethod
    def of(cls, model, keys, write_order=None):
        """One query per key that follows a relation (aliases), one for the others."""
        plain = [key for key in keys if "__" not in key]
        rows = []
        for pk, *values in model._default_manager.order_by().values_list("pk", *plain):
            rows.extend((pk, key, value) for key, value in zip(plain, values, strict=True))
        for key in keys:
            if "__" in key:
                related = model._default_manager.order_by().filter(**{f"{key}__isnull": False})
                rows.extend((pk, key, value) for pk, value in related.values_list("pk", key))
        return cls(model, keys, rows, write_order)

    def find(self, text):
        """The pk `text` names, or ValueError saying why none or several."""
        for exact in (True, False):
            table, probe = (self.exact, text) if exact else (self.folded, text.casefold())
            for key in self.keys:
                found = table[key].get(probe)
                if isinstance(found, tuple):
                    raise ValueError(
                        f"{cells.shown(text)} is the {KEY_LABELS[key]} of {len(found)} {self.whats}; "
                        "name the one you mean by its slug"
                    )
                if found is not None:
                    return found
        labels = [KEY_LABELS[key] for key in self.keys]
        described = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
        message = f"no {self.what} with {described} {cells.shown(text)}"
        if sum(len(self.exact[key]) for key in self.keys) < SUGGEST_BELOW:
            known = [value for key in self.keys for value in self.exact[key]]
            guess = get_close_matches(text, known, n=1, cutoff=0.75)
            if guess:
                message += f"; did you mean {cells.shown(guess[0])}?"
        raise ValueError(message)

    def name(self, pk):
        if pk not in self.written:
            self.written[pk] = self._name(pk)
        return self.written[pk]

    def _name(self, pk):
        names = self.names.get(pk, {})
        for key in self.write_order:
            value = names.get(key)
            if value:
                try:
                    if self.find(value) == pk:
                        return value
                except ValueError:
                    continue
        return next(iter(names.values()), "")


class ReferenceWidget(widgets.Widget):
    """A foreign key written as a human key (slug, name...), never as a database id.

    The field's attribute is the `<name>_id` column, so neither import nor export needs
    a query per row: the names are loaded once, on first use, per resource instance.
    """

    def __init__(self, model, keys, required=False, write_order=None):
        super().__init__()
        self.model, self.keys, self.required = model, keys, required
        self.write_order = write_order
        self._index = None
        self.cells = {}  # pk -> the cell that names it

    @property
    def index(self):
        if self._index is None:
            self._index = Index.of(self.model, self.keys, self.write_order)
        return self._index

    def clean(self, value, row=None, **kwargs):
        text = cells.read_text(value or "")
        if not text:
            if self.required:
                raise ValueError(f"is empty: every row needs its {self.model._meta.verbose_name}")
            return None
        return self.index.find(text)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if value not in self.cells:
            self.cells[value] = cells.neutralise(self.index.name(value))
        return self.cells[value]


class ManyReferenceWidget(widgets.ManyToManyWidget):
    """Several references in one cell, separated by “;”; spaces around each are ignored."""

    separator = ";"

    def __init__(self, model, keys, write_order=None):
        super().__init__(model, separator=self.separator)
        self.reference = ReferenceWidget(model, keys, write_order=write_order)

    def names(self, value):
        return [name.strip() for name in cells.read_text(value or "").split(self.separator) if name.strip()]

    def clean(self, value, row=None, **kwargs):
        pks = []
        for name in self.names(value):
            pk = self.reference.index.find(name)
            if pk not in pks:
                pks.append(pk)
        return self.model.objects.filter(pk__in=pks)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        names = sorted(self.reference.index.name(related.pk) for related in value.all())
        return cells.neutralise(f"{self.separator} ".join(names))
