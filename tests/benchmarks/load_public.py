"""Load test of the public site: gunicorn on PostgreSQL, concurrent readers on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive_load \\
        .venv/bin/python tests/benchmarks/load_public.py [--claims 100000] [--clients 32] [--seconds 30]

Recreates the database named in DATABASE_URL (its name must contain "load", so that it is one of
its own), loads the seed data and a synthetic archive (tests/benchmarks/synthetic.py, imported
through `archive_import`), analyses it, starts gunicorn with debug off, then lets each client
fetch public pages (lists with filters, details, CSV and JSON exports) over one keep-alive
connection for a bounded time. Meanwhile an editor (an account of the Editors group, made with
`create_editor`) saves a public claim (published, in a published article) every second through
the admin over HTTP, as in a browser: it opens the claim's change form, posts it back with the
claim's note changed (a line added or taken away), expects the redirect of a saved form, reads
the note back from the database and checks the figure's public page shows it. Each save raises the data version, so
the readers meet cold pages as they would while editors work (--editor-interval 0 leaves the
editor out). Prints requests per second, latency percentiles and errors, and the editor's saves
and their latency; exits 1 on any error or 5xx, or any save that failed. Talks to 127.0.0.1 only.
"""

import argparse
import http.client
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))

from synthetic import generate  # noqa: E402

KINDS = ["outlets", "organisations", "people", "operations", "articles", "figures", "claims"]
EDITOR = "load-run-editor"
NOTE_LINE = "Re-read against the article during the load run."


def recreate_database(url):
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def build_archive(env, claims):
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_seed", "-v0")
    with tempfile.TemporaryDirectory() as directory:
        generate(Path(directory), claims=claims)
        for kind in KINDS:
            started = time.perf_counter()
            manage(env, "archive_import", kind, str(Path(directory) / f"{kind}.csv"))
            print(f"  imported {kind} in {time.perf_counter() - started:.1f} s", flush=True)
    manage(env, "collectstatic", "--noinput", "-v0")


def analyze(database_url):
    """Gather the planner's statistics, as autovacuum would have in an archive that grew over
    time: without them PostgreSQL takes the freshly loaded tables for empty and picks plans
    that take minutes (and autovacuum may be off on a test server)."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("ANALYZE")


def sample_urls(database_url, count=200):
    """Public addresses a reader would fetch, in the proportions readers fetch them."""
    with psycopg.connect(database_url) as connection:

        def column(sql):
            return [row[0] for row in connection.execute(sql)]

        figures = column(
            "SELECT f.slug FROM archive_figure f WHERE f.status <> 'unsourced' ORDER BY random() LIMIT 200"
        )
        articles = column("SELECT slug FROM archive_article WHERE status = 'published' ORDER BY random() LIMIT 200")
        operations = column("SELECT slug FROM archive_operation ORDER BY random() LIMIT 50")
        organisations = column("SELECT slug FROM archive_organisation ORDER BY random() LIMIT 20")
        outlets = column("SELECT slug FROM archive_outlet ORDER BY random() LIMIT 10")
    rng = random.Random(1)
    makers = [
        (5, lambda: "/"),
        (10, lambda: f"/figures/?page={rng.randint(1, 20)}"),
        (8, lambda: f"/figures/?status={rng.choice(['disputed', 'minor', 'consistent', 'single'])}"),
        (5, lambda: f"/figures/?operation={rng.choice(operations)}&measure=cases"),
        (4, lambda: f"/figures/?organisation={rng.choice(organisations)}&outlet={rng.choice(outlets)}"),
        (4, lambda: f"/figures/?q={rng.choice(['ivory', 'waste', 'timber', 'pangolin'])}"),
        (20, lambda: f"/figures/{rng.choice(figures)}/"),
        (8, lambda: f"/claims/?page={rng.randint(1, 50)}"),
        (4, lambda: f"/claims/?outlet={rng.choice(outlets)}&status=disputed"),
        (12, lambda: f"/articles/{rng.choice(articles)}/"),
        (3, lambda: "/articles/"),
        (3, lambda: "/operations/"),
        (6, lambda: f"/operations/{rng.choice(operations)}/"),
        (2, lambda: f"/figures.csv?operation={rng.choice(operations)}"),
        (2, lambda: f"/figures.json?operation={rng.choice(operations)}"),
        (2, lambda: f"/claims.csv?operation={rng.choice(operations)}"),
        (2, lambda: f"/claims.json?operation={rng.choice(operations)}&status=disputed"),
    ]
    weights = [weight for weight, _ in makers]
    return [rng.choices(makers, weights)[0][1]() for _ in range(count)]


def prepare_editor(env, database_url):
    """The editor's account, made as an editor's is, with a fresh password each run."""
    password = secrets.token_urlsafe(24)
    with psycopg.connect(database_url) as connection:
        exists = connection.execute("SELECT 1 FROM auth_user WHERE username = %s", [EDITOR]).fetchone()
    env = {**env, "ARCHIVE_EDITOR_PASSWORD": password}
    if exists:
        code = (
            "import os; from django.contrib.auth import get_user_model; "
            f"user = get_user_model().objects.get(username={EDITOR!r}); "
            "user.set_password(os.environ['ARCHIVE_EDITOR_PASSWORD']); user.save()"
        )
        manage(env, "shell", "-v0", "-c", code)
    else:
        manage(env, "create_editor", EDITOR)
    return password


def claims_to_edit(database_url, count=50):
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT c.id FROM archive_claim c JOIN archive_article a ON a.id = c.article_id "
            "WHERE c.status = 'published' AND a.status = 'published' ORDER BY random() LIMIT %s",
            [count],
        )
        return [row[0] for row in rows]


def toggled(note):
    """The note with NOTE_LINE added, or taken away if it ends with it."""
    if note.endswith(NOTE_LINE):
        return note[: -len(NOTE_LINE)].rstrip()
    return f"{note}\n\n{NOTE_LINE}" if note else NOTE_LINE


class FormReader(HTMLParser):
    """The fields a browser would post from the form with the id `form_id`: (name, value) pairs
    of its enabled inputs, checked boxes, selected options and text areas, its buttons left out."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "chosen": [], "first": None}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["chosen"].append(value)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            if not chosen and not self.select["multiple"] and self.select["first"] is not None:
                chosen = [self.select["first"]]  # a browser posts the first option when none is selected
            self.fields += [(self.select["name"], value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            # HTML drops the line break that follows <textarea>, which Django writes before the value.
            self.fields.append((name, value[1:] if value.startswith("\n") else value))
            self.textarea = None


def form_fields(html, form_id):
    reader = FormReader(form_id)
    reader.feed(html)
    reader.close()
    return reader.fields


class Browser:
    """One keep-alive connection to the server, with the cookies it was given."""

    def __init__(self, port):
        self.port, self.cookies = port, SimpleCookie()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method, path, fields=None):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={morsel.value}" for key, morsel in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        for cookie in response.msg.get_all("Set-Cookie") or []:
            self.cookies.load(cookie)
        return response.status, response.getheader("Location", ""), text

    def sign_in(self, username, password):
        status, _, page = self.request("GET", "/admin/login/")
        fields = dict(form_fields(page, "login-form"))
        fields.update(username=username, password=password, next="/admin/")
        status, location, _ = self.request("POST", "/admin/login/", list(fields.items()))
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"The editor could not sign in: {status} {location}")


def save_claim(browser, database_url, pk):
    """Open the claim's change form and save it with its note toggled, as an editor would, then
    check the figure's public page shows the note as saved: the seconds the form and the save
    took, or an exception saying what went wrong."""
    address = f"/admin/archive/claim/{pk}/change/"
    started = time.perf_counter()
    status, _, page = browser.request("GET", address)
    if status != 200:
        raise RuntimeError(f"the change form of claim {pk} answered {status}")
    opened = time.perf_counter()
    fields = form_fields(page, "claim_form")
    note = next((value for name, value in fields if name == "note"), None)
    if note is None:
        raise RuntimeError(f"the change form of claim {pk} has no note")
    fields = [(name, value) for name, value in fields if name != "note"]
    fields += [("note", toggled(note)), ("_save", "Save")]
    status, location, page = browser.request("POST", address, fields)
    saved = time.perf_counter()
    if status != 302 or location.rstrip("/").endswith(f"{pk}/change"):
        errors = page.split('class="errornote"', 1)[-1][:300] if status == 200 else location
        raise RuntimeError(f"saving claim {pk} answered {status}: {errors}")
    with psycopg.connect(database_url) as connection:
        stored, slug, marked = connection.execute(
            # The figure's public claims marked: published, in a published article.
            "SELECT c.note, f.slug, (SELECT count(*) FROM archive_claim o "
            "JOIN archive_article a ON a.id = o.article_id WHERE o.figure_id = c.figure_id "
            "AND o.status = 'published' AND a.status = 'published' AND o.note LIKE %s) "
            "FROM archive_claim c JOIN archive_figure f ON f.id = c.figure_id WHERE c.id = %s",
            [f"%{NOTE_LINE}%", pk],
        ).fetchone()
    if stored != toggled(note).replace("\r\n", "\n"):
        raise RuntimeError(f"claim {pk} was saved but its note is {stored!r}")
    # The public page, cached under the data version, is never from before the save.
    status, _, page = browser.request("GET", f"/figures/{slug}/")
    if status != 200 or page.count(NOTE_LINE) != marked:
        raise RuntimeError(f"after claim {pk} was saved, /figures/{slug}/ answered {status} from before the save")
    return opened - started, saved - opened


def edit(browser, database_url, claims, interval, stop_at, saves, failures):
    """Save one of `claims` every `interval` seconds until `stop_at`, in turn."""
    due = time.monotonic()
    number = 0
    while due < stop_at:
        time.sleep(max(0, due - time.monotonic()))
        try:
            saves.append(save_claim(browser, database_url, claims[number % len(claims)]))
        except (OSError, http.client.HTTPException, RuntimeError) as error:
            failures.append(str(error))
        number += 1
        due = max(due + interval, time.monotonic())  # a slow save delays the next; saves never bunch up


def start_gunicorn(env, port):
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise SystemExit("gunicorn did not answer /healthz within 30 seconds")


def stop(server):
    """gunicorn lets its workers finish their requests, for up to 30 seconds; then it is killed."""
    server.terminate()
    try:
        server.wait(timeout=35)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def kind_of(url):
    path = url.split("?")[0]
    if path.endswith((".csv", ".json")):
        return path.lstrip("/")
    parts = [part for part in path.split("/") if part]
    if not parts:
        return "home"
    return parts[0] + ("/<slug>" if len(parts) > 1 else " list")


def drive(port, urls, clients, seconds, editor=None):
    """`editor`, if given: (database URL, password, claims, interval) of the editor saving claims
    while the clients read; returns its saves and failures with the readers' results."""
    if editor:
        database_url, password, claims, interval = editor
        browser = Browser(port)
        browser.sign_in(EDITOR, password)  # before the clock starts: the run times saves, not signing in
    stop_at = time.monotonic() + seconds
    results = []  # (kind, status, seconds); list.append is atomic
    errors = Counter()
    saves, failures = [], []

    def client(number):
        rng = random.Random(number)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop_at:
            url = rng.choice(urls)
            started = time.perf_counter()
            try:
                connection.request("GET", url, headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                results.append((kind_of(url), response.status, time.perf_counter() - started))
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException) as error:
                errors[type(error).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    if editor:
        arguments = (browser, database_url, claims, interval, stop_at, saves, failures)
        threads.append(threading.Thread(target=edit, args=arguments))
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors, time.perf_counter() - started, saves, failures


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(results, errors, elapsed, clients):
    latencies = [seconds for _, _, seconds in results]
    statuses = Counter(status for _, status, _ in results)
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    other = sum(count for status, count in statuses.items() if status != 200 and status < 500)
    print(f"\n{clients} clients, {elapsed:.1f} s, {len(results)} responses")
    print(f"requests per second: {len(results) / elapsed:.1f}")
    print(
        "latency ms: p50 {:.0f}  p90 {:.0f}  p95 {:.0f}  p99 {:.0f}  max {:.0f}".format(
            *(1000 * percentile(latencies, f) for f in (0.5, 0.9, 0.95, 0.99)), 1000 * max(latencies)
        )
    )
    print(f"status codes: {dict(sorted(statuses.items()))}")
    print(f"5xx: {server_errors}   other non-200: {other}   connection errors: {sum(errors.values())} {dict(errors)}")
    by_kind = defaultdict(list)
    for kind, _, seconds in results:
        by_kind[kind].append(seconds)
    print(f"\n{'page':24} {'count':>6} {'p50 ms':>7} {'p90 ms':>7} {'max ms':>7}")
    for kind, values in sorted(by_kind.items()):
        print(
            f"{kind:24} {len(values):6} {1000 * statistics.median(values):7.0f} "
            f"{1000 * percentile(values, 0.9):7.0f} {1000 * max(values):7.0f}"
        )
    return server_errors + sum(errors.values())


def report_editor(saves, failures, interval, elapsed):
    """The editor's saves: how many, and the time to open the form and to save it."""
    print(
        f"\neditor, a save due every {interval:g} s: {len(saves)} saved in {elapsed:.1f} s "
        f"({len(saves) / elapsed:.2f} a second), {len(failures)} failed"
    )
    if saves:
        for label, values in (("form", [opened for opened, _ in saves]), ("save", [saved for _, saved in saves])):
            print(
                f"  {label} ms: p50 {1000 * statistics.median(values):.0f}  p90 {1000 * percentile(values, 0.9):.0f}"
                f"  max {1000 * max(values):.0f}"
            )
    for failure in failures[:5]:
        print(f"  failed: {failure}")
    return len(failures)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=100_000, help="size of the synthetic archive")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30, help="how long the clients run (at most 300)")
    parser.add_argument(
        "--editor-interval", type=float, default=1, help="seconds between the editor's saves; 0 for no editor"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep the database from the previous run")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or "load" not in urlparse(database_url).path:
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database this script may drop and recreate, "
            "with a name containing 'load', e.g. postgres://postgres@127.0.0.1:5432/archive_load"
        )
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    if not args.reuse:
        print(f"Building the archive: seed data plus {args.claims:,} synthetic claims", flush=True)
        recreate_database(database_url)
        build_archive(env, args.claims)
        analyze(database_url)
    urls = sample_urls(database_url)
    editor = None
    if args.editor_interval > 0:
        editor = (database_url, prepare_editor(env, database_url), claims_to_edit(database_url), args.editor_interval)
    server = start_gunicorn(env, args.port)
    try:
        seconds = min(args.seconds, 300)
        who = f" while an editor saves a claim every {args.editor_interval:g} s" if editor else ""
        print(f"Driving {args.clients} clients for {seconds:.0f} s{who}", flush=True)
        results, errors, elapsed, saves, failed_saves = drive(args.port, urls, args.clients, seconds, editor)
        failures = report(results, errors, elapsed, args.clients)
        if editor:
            failures += report_editor(saves, failed_saves, args.editor_interval, elapsed)
    finally:
        stop(server)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
