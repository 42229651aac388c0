"""The change log: which pages each committed write changed, so a write leaves the pages of
everything else warm.

Every write to a public table logs, in the writing transaction, the scopes of the pages that
show the rows it changed (`archive.models.Change`): a claim its figure (before and after), its
article and the article's outlet; a figure itself and its operation; an article itself, its
copies, its outlet, and every operation page (they list the articles that name them); a
misattribution link both figures. A changed figure brings in the figures its hints link it
to (their pages show its title and values), and with each of those figures, its operation and
every article and outlet where it has a claim. The tables few writes touch (outlets, people,
organisations, origins, operations and their aliases, coordinators and parts) log `rare`, which
every detail page depends on, as does a TRUNCATE.

On PostgreSQL statement triggers read the rows from transition tables, so an import logs once
a statement, and `archive_raise_data_version` (migration 0004), which runs at the commit in
commit order, stamps the transaction's rows with the version it gets. A statement after the
version rose in the same transaction (tests, which make that trigger immediate) logs under it.
SQLite writes one transaction at a time: each row's trigger raises the version and logs under
it. Every 1,000 versions the log drops the rows of versions `KEPT` and more behind: a page
computed before `log_from` is computed again.
"""

import secrets

from django.db import migrations, models

KEPT = 100_000

LINKS = "archive_figure_possible_misattributions"


# The figures of the same operation whose organisation an editor stated to be part or whole of
# the figure's (`archive/parts.py`): their pages flag the figure's values against theirs.
PARTNERS = (
    "SELECT other.id FROM archive_figure AS figure "
    "JOIN archive_partof AS statement ON statement.operation_id = figure.operation_id "
    "AND figure.organisation_id IN (statement.part_id, statement.whole_id) "
    "JOIN archive_figure AS other ON other.operation_id = figure.operation_id "
    "AND other.organisation_id IN (statement.part_id, statement.whole_id) "
    "WHERE figure.id IN ({ids})"
)


def figure_scopes(ids):
    """The scopes a change to the figures `ids` (a query of one column, `id`) reaches."""
    touched = (
        f"{ids} UNION SELECT to_figure_id FROM {LINKS} WHERE from_figure_id IN ({ids}) "
        f"UNION SELECT from_figure_id FROM {LINKS} WHERE to_figure_id IN ({ids}) "
        f"UNION {PARTNERS.format(ids=ids)}"
    )
    claims = f"SELECT article_id FROM archive_claim WHERE figure_id IN ({touched})"
    return [
        f"SELECT 'figure:' || id FROM ({touched}) AS touched",
        f"SELECT 'operation:' || operation_id FROM archive_figure WHERE operation_id IS NOT NULL AND id IN ({touched})",
        f"SELECT 'article:' || article_id FROM ({claims}) AS claims",
        f"SELECT 'outlet:' || outlet_id FROM archive_article WHERE id IN ({claims})",
    ]


# {table: (the columns its scopes read, its scopes from `rows`, the changed rows old and new)}
SCOPES = {
    "archive_claim": (
        ["figure_id", "article_id"],
        lambda rows: [
            *figure_scopes(f"SELECT figure_id AS id FROM {rows}"),
            f"SELECT 'article:' || article_id FROM {rows}",
            f"SELECT 'outlet:' || outlet_id FROM archive_article WHERE id IN (SELECT article_id FROM {rows})",
        ],
    ),
    "archive_figure": (
        ["id", "operation_id"],
        lambda rows: [
            *figure_scopes(f"SELECT id FROM {rows}"),
            f"SELECT 'operation:' || operation_id FROM {rows} WHERE operation_id IS NOT NULL",
        ],
    ),
    LINKS: (
        ["from_figure_id", "to_figure_id"],
        lambda rows: figure_scopes(f"SELECT from_figure_id AS id FROM {rows} UNION SELECT to_figure_id FROM {rows}"),
    ),
    "archive_article": (
        ["id", "outlet_id"],
        lambda rows: [
            f"SELECT 'article:' || id FROM {rows}",
            f"SELECT 'article:' || id FROM archive_article WHERE copy_of_id IN (SELECT id FROM {rows})",
            f"SELECT 'outlet:' || outlet_id FROM {rows}",
            *figure_scopes(f"SELECT figure_id AS id FROM archive_claim WHERE article_id IN (SELECT id FROM {rows})"),
            f"SELECT 'operations' FROM {rows}",
        ],
    ),
    **{
        table: ([], lambda rows: [f"SELECT 'rare' FROM {rows}"])
        for table in [
            "archive_outlet",
            "archive_organisation",
            "archive_person",
            "archive_origin",
            "archive_operation",
            "archive_operation_coordinators",
            "archive_operationalias",
            "archive_partof",
        ]
    },
}


def scopes_of(table, rows):
    """A query of the scopes `rows` of `table` reach, one column."""
    _, scopes = SCOPES[table]
    return f"SELECT DISTINCT * FROM ({' UNION '.join(scopes(rows))}) AS scopes"


def postgresql_rows(table, transition_tables):
    columns = ", ".join(SCOPES[table][0]) or "1"
    return "(" + " UNION ALL ".join(f"SELECT {columns} FROM {name}" for name in transition_tables) + ") AS changed"


# The version the transaction got if it has one yet (a test's immediate triggers), else none till the commit.
POSTGRESQL_LOG = """
INSERT INTO archive_change (scope, txid, version)
SELECT scope, txid_current(), NULLIF(current_setting('archive.data_version', true), '')::bigint
FROM ({scopes}) AS logged (scope)
ON CONFLICT (txid, scope) DO UPDATE SET version = EXCLUDED.version
"""

POSTGRESQL_FUNCTION = """
CREATE FUNCTION {table}_logs_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {inserted};
    ELSIF TG_OP = 'UPDATE' THEN {updated};
    ELSE {deleted};
    END IF;
    RETURN NULL;
END $$;
"""

POSTGRESQL_TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}

# The scopes the transaction's figures and articles reach, read again as it commits: its statements
# read other rows (a figure's operation, its hints, an article's outlet) as they were then, and a
# transaction that committed since may have changed them. The commit holds the data version's row,
# so these reads see every transaction committed before this one, and none commits in between.
LOGGED = (
    "SELECT substr(scope, {start})::bigint AS id FROM archive_change "
    "WHERE txid = txid_current() AND scope LIKE '{kind}:%'"
)
LOGGED_FIGURES = LOGGED.format(start=len("figure:") + 1, kind="figure")
LOGGED_ARTICLES = LOGGED.format(start=len("article:") + 1, kind="article")
AT_COMMIT = [
    *figure_scopes(LOGGED_FIGURES),
    *figure_scopes(f"SELECT figure_id AS id FROM archive_claim WHERE article_id IN ({LOGGED_ARTICLES})"),
    f"SELECT 'outlet:' || outlet_id FROM archive_article WHERE id IN ({LOGGED_ARTICLES})",
    f"SELECT 'article:' || id FROM archive_article WHERE copy_of_id IN ({LOGGED_ARTICLES})",
]
POSTGRESQL_AT_COMMIT = f"""
INSERT INTO archive_change (scope, txid, version)
SELECT DISTINCT scope, txid_current(), raised FROM ({" UNION ".join(AT_COMMIT)}) AS reached (scope)
ON CONFLICT (txid, scope) DO NOTHING
"""

# Migration 0004's function, which also stamps the transaction's changes with the version it
# raises to, logs a TRUNCATE as a change of every detail page, and prunes the log.
POSTGRESQL_RAISE = f"""
CREATE OR REPLACE FUNCTION archive_raise_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    raised bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        {POSTGRESQL_LOG.format(scopes="SELECT 'rare'")};
    END IF;
    IF current_setting('archive.data_version_raised', true) IS DISTINCT FROM statement_timestamp()::text THEN
        UPDATE archive_dataversion SET version = version + 1 RETURNING version INTO raised;
        PERFORM set_config('archive.data_version_raised', statement_timestamp()::text, true);
        PERFORM set_config('archive.data_version', raised::text, true);
        UPDATE archive_change SET version = raised WHERE txid = txid_current() AND version IS NULL;
        {POSTGRESQL_AT_COMMIT};
        IF raised % 1000 = 0 THEN
            UPDATE archive_dataversion SET log_from = raised - {KEPT};
            DELETE FROM archive_change WHERE version <= raised - {KEPT};
        END IF;
    END IF;
    RETURN NULL;
END $$;
"""

POSTGRESQL_RAISE_BEFORE = """
CREATE OR REPLACE FUNCTION archive_raise_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('archive.data_version_raised', true) IS DISTINCT FROM statement_timestamp()::text THEN
        UPDATE archive_dataversion SET version = version + 1;
        PERFORM set_config('archive.data_version_raised', statement_timestamp()::text, true);
    END IF;
    RETURN NULL;
END $$;
"""

SQLITE_VERSION = "(SELECT version FROM archive_dataversion WHERE id = 1)"


def sqlite_rows(table, event):
    columns = SCOPES[table][0]
    rows = [
        "SELECT " + (", ".join(f"{name}.{column} AS {column}" for column in columns) or "1")
        for name in {"INSERT": ["NEW"], "UPDATE": ["NEW", "OLD"], "DELETE": ["OLD"]}[event]
    ]
    return f"({' UNION ALL '.join(rows)}) AS changed"


def log_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_RAISE)
            for table in SCOPES:
                logs = {
                    event: POSTGRESQL_LOG.format(scopes=scopes_of(table, postgresql_rows(table, names)))
                    for event, names in (
                        ("inserted", ["new_rows"]),
                        ("updated", ["new_rows", "old_rows"]),
                        ("deleted", ["old_rows"]),
                    )
                }
                cursor.execute(POSTGRESQL_FUNCTION.format(table=table, **logs))
                for event, transitions in POSTGRESQL_TRANSITIONS.items():
                    cursor.execute(
                        f"CREATE TRIGGER {table}_{event.lower()}_logs_change AFTER {event} ON {table} "
                        f"REFERENCING {transitions} FOR EACH STATEMENT EXECUTE FUNCTION {table}_logs_change()"
                    )
            return
        # One trigger a row raises the version and logs under it: created in place of the one
        # that raised it alone, so that no order of triggers can log under the version before.
        for table in SCOPES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                name = f"{table}_{event.lower()}_raises_data_version"
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN "
                    "UPDATE archive_dataversion SET version = version + 1; "
                    f"INSERT INTO archive_change (scope, version) SELECT scopes.*, {SQLITE_VERSION} "
                    f"FROM ({scopes_of(table, sqlite_rows(table, event))}) AS scopes; END"
                )
        cursor.execute(
            "CREATE TRIGGER archive_dataversion_prunes_changes AFTER UPDATE OF version ON archive_dataversion "
            f"WHEN NEW.version % 1000 = 0 BEGIN "
            f"UPDATE archive_dataversion SET log_from = NEW.version - {KEPT} WHERE id = NEW.id; "
            f"DELETE FROM archive_change WHERE version <= NEW.version - {KEPT}; END"
        )


def drop_log_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            for table in SCOPES:
                for event in POSTGRESQL_TRANSITIONS:
                    cursor.execute(f"DROP TRIGGER {table}_{event.lower()}_logs_change ON {table}")
                cursor.execute(f"DROP FUNCTION {table}_logs_change()")
            cursor.execute(POSTGRESQL_RAISE_BEFORE)
            return
        cursor.execute("DROP TRIGGER archive_dataversion_prunes_changes")
        for table in SCOPES:
            for event in ("insert", "update", "delete"):
                name = f"{table}_{event}_raises_data_version"
                cursor.execute(f"DROP TRIGGER {name}")
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
                    "BEGIN UPDATE archive_dataversion SET version = version + 1; END"
                )


def draw_epoch(apps, schema_editor):
    apps.get_model("archive", "DataVersion").objects.update(epoch=secrets.randbits(62))


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0015_operation_name_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataversion",
            name="log_from",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="dataversion",
            name="epoch",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(draw_epoch, migrations.RunPython.noop),
        migrations.CreateModel(
            name="Change",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope", models.CharField(max_length=40)),
                ("version", models.BigIntegerField(null=True)),
                ("txid", models.BigIntegerField(null=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["scope", "version"], name="change_scope_version_idx"),
                    models.Index(fields=["version"], name="change_version_idx"),
                ],
                "constraints": [models.UniqueConstraint(fields=("txid", "scope"), name="change_txid_scope_unique")],
            },
        ),
        migrations.RunPython(log_triggers, drop_log_triggers),
    ]
