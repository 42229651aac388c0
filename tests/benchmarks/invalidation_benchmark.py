"""What one editor's save of a claim makes cold, and what keeping the rest warm costs.

    DATABASE_URL=postgres://.../a-copy-of-archive_scale_100k \\
        .venv/bin/python tests/benchmarks/invalidation_benchmark.py [--sample 300] [--repeat 200]

It WRITES to the database it is given (one claim's note, committed), so give it a copy, migrated:
`createdb -T archive_scale_100k my_copy`, then `manage.py migrate`. In-process, with the cache in
this process's memory, it:
1. renders --sample figure pages, the page of the claim's figure among them;
2. saves the claim as an editor does (its figures derived again), and commits;
3. asks for the same pages again and counts those served from the cache;
4. counts, for every detail page of the archive (figures, articles, operations, outlets), those
   whose scopes the save changed, by the check a request makes (`Change.any_between`);
5. times that check, and a warm request before the save (no check: same version) and after it
   (one check).
Prints the counts, the changes the save logged, and medians in milliseconds.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup_django():
    sys.path[:0] = [str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def median_ms(action, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=300, help="figure pages rendered before and after the save")
    parser.add_argument("--repeat", type=int, default=200, help="timed checks and requests")
    options = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment

    from archive.filters import public_figures
    from archive.models import Article, Change, Claim, DataVersion, Operation, Outlet
    from archive.views.base import scope

    setup_test_environment()  # so that a response tells whether a template drew it
    settings.ALLOWED_HOSTS = ["*"]
    # Room for every page: evicted pages would count as cold.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 10**6}}
    }
    client = Client()
    cache.clear()

    claim = Claim.objects.published().select_related("figure").order_by("pk").first()
    figures = list(public_figures().exclude(pk=claim.figure_id).order_by("pk")[: options.sample - 1])
    paths = [claim.figure.get_absolute_url(), *(figure.get_absolute_url() for figure in figures)]
    for path in paths:
        assert client.get(path).status_code == 200, path
    before = DataVersion.current()
    warm_before = median_ms(lambda: client.get(paths[1]), options.repeat)

    start = time.perf_counter()
    claim.note = f"Checked at version {before}."
    claim.save()
    save_ms = (time.perf_counter() - start) * 1000
    after = DataVersion.current()
    logged = sorted(Change.objects.filter(version__gt=before, version__lte=after).values_list("scope", flat=True))

    served = [client.get(path) for path in paths]
    warm = [path for path, response in zip(paths, served, strict=True) if response.context is None]
    cold = [path for path, response in zip(paths, served, strict=True) if response.context is not None]
    warm_after = median_ms(lambda: client.get(paths[1]), options.repeat)

    print(
        f"Saved claim {claim.pk} of {claim.figure.get_absolute_url()} in {save_ms:.1f} ms: versions {before} -> {after}"
    )
    print(f"Logged {len(logged)} scopes: {', '.join(logged[:12])}{' ...' if len(logged) > 12 else ''}")
    print(
        f"Figure pages rendered then asked again: {len(warm)} of {len(paths)} from the cache; cold: {', '.join(cold)}"
    )

    kinds = {
        "figure": (public_figures(), ["rare"]),
        "article": (Article.objects.published(), ["rare"]),
        "operation": (Operation.objects.all(), ["operations", "rare"]),
        "outlet": (Outlet.objects.all(), ["rare"]),
    }
    for kind, (records, shared) in kinds.items():
        records = list(records.only("pk"))
        changed = [record for record in records if Change.any_between([scope(record), *shared], before, after)]
        print(
            f"{kind.capitalize()} pages the save changed: {len(changed)} of {len(records)}, "
            f"warm: {len(records) - len(changed)}"
        )

    scopes = [scope(figures[0]), "rare"]
    check = median_ms(lambda: Change.any_between(scopes, before, after), options.repeat)
    print(f"Log rows: {Change.objects.count()}")
    print(f"Validity check (one query): median {check:.2f} ms")
    print(f"Warm figure page: {warm_before:.2f} ms at the version it was rendered, {warm_after:.2f} ms one version on")


if __name__ == "__main__":
    main()
