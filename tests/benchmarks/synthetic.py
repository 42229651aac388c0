"""A realistic synthetic archive, written as the CSV files `archive_import` reads.

Scaled from the number of claims: one article per 20 claims, one figure per 5 claims (each
stated by 5 different articles), one operation per 100 figures. Every quote is a sentence
of its article's body and prints its value; most figures' sources agree, some differ by a
unit of the last digit, some disagree outright, and some operations credit the same number
to two actors, so the status rule and the misattribution hints have work to do.
"""

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta

CLAIMS_PER_ARTICLE = 20
CLAIMS_PER_FIGURE = 5
FIGURES_PER_OPERATION = 100

PLACES = (
    "Shenzhen Guangzhou Xiamen Ningbo Qingdao Tianjin Dalian Haikou Kunming Nanning Lagos Mombasa Durban "
    "Rotterdam Antwerp Hamburg Felixstowe Valencia Piraeus Genoa Jakarta Manila Bangkok Hanoi Haiphong "
    "Karachi Chittagong Colombo Dubai Santos Callao Cartagena Veracruz Lima Quito Accra Abidjan Dakar"
).split()
SUBJECTS = (
    "ivory|pangolin scales|rhino horn|rosewood|plastic waste|electronic waste|scrap metal|shark fins|"
    "turtle shells|live birds|coral|timber|textile waste|used tyres|agarwood|tiger bones|seahorses"
).split("|")
FILLER = [
    "Officials described the cooperation between agencies as close and effective.",
    "The debriefing was attended by delegations from customs, police and environment ministries.",
    "Analysts cautioned that seizure totals depend on how each country counts its cases.",
    "The organisers said further joint operations are planned for the coming year.",
    "Several of the shipments had been declared as ordinary household goods.",
    "Risk profiling and container scanning were credited with most of the detections.",
]
SPEAKER_ROLES = ["director of the anti-smuggling bureau", "customs spokesperson", "operation coordinator"]

# measure -> (units it is stated in, how a sentence prints it)
MEASURES = {
    "cases": ("count", "customs officers in {place} handled {n} cases of {subject} smuggling"),
    "seizures": ("count", "officers in {place} made {n} seizures of {subject}"),
    "weight_seized": ("t", "inspectors in {place} seized {n} tonnes of {subject}"),
    "volume_seized": ("m3", "the port of {place} intercepted {n} cubic metres of {subject}"),
    "items_seized": ("count", "investigators in {place} recovered {n} pieces of {subject}"),
    "suspects": ("count", "police in {place} identified {n} suspects linked to {subject} trafficking"),
    "arrests": ("count", "authorities in {place} arrested {n} people over {subject} smuggling"),
    "participating_countries": ("count", "customs services of {n} countries joined the {subject} operation"),
    "year_on_year_change": ("percent", "cases of {subject} smuggling in {place} fell by {n} percent year-on-year"),
}
BOUND_WORDS = {"about": "roughly", "more_than": "more than", "nearly": "nearly", "up_to": "up to"}


@dataclass
class Figure:
    slug: str
    operation: int
    organisation: int
    measure: str
    subject: str
    value: int


def headers():
    return {
        "outlets": ["slug", "name", "website", "country"],
        "organisations": ["slug", "name", "short_name", "kind", "country", "description"],
        "people": ["slug", "name", "role", "organisation"],
        "operations": [
            "slug",
            "name",
            "aliases",
            "alias_notes",
            "focus",
            "coordinators",
            "start_date",
            "end_date",
            "description",
        ],
        "articles": [
            "slug",
            "url",
            "outlet",
            "title",
            "published_on",
            "byline",
            "language",
            "status",
            "provenance",
            "body",
        ],
        "figures": [
            "slug",
            "title",
            "operation",
            "organisation",
            "measure",
            "subject",
            "period_start",
            "period_end",
            "notes",
        ],
        "claims": ["article", "figure", "quote", "value", "value_high", "unit", "bound", "speaker", "status", "note"],
    }


def printed(value):
    return f"{value:,}"


def generate(directory, claims=100_000, seed=2019):
    """Write outlets.csv ... claims.csv into `directory`; returns {kind: rows written}."""
    rng = random.Random(seed)
    articles = max(1, claims // CLAIMS_PER_ARTICLE)
    figures_count = max(1, claims // CLAIMS_PER_FIGURE)
    operations = max(1, figures_count // FIGURES_PER_OPERATION)
    rows = {kind: [] for kind in headers()}

    outlets = [f"Outlet {i:02d} News" for i in range(20)]
    for i, name in enumerate(outlets):
        rows["outlets"].append([f"outlet-{i:02d}", name, f"https://outlet{i:02d}.example/", rng.choice(PLACES)])

    organisations = [f"Customs Administration {i:02d}" for i in range(40)] + ["All participating countries (synthetic)"]
    for i, name in enumerate(organisations):
        short = f"CA{i:02d}" if i < 40 else ""
        kind = "government" if i < 40 else "scope"
        rows["organisations"].append([f"org-{i:02d}", name, short, kind, rng.choice(PLACES), ""])

    people = [f"Officer {name} {i:03d}" for i, name in enumerate(rng.choice(PLACES) for _ in range(100))]
    for i, name in enumerate(people):
        rows["people"].append([f"person-{i:03d}", name, rng.choice(SPEAKER_ROLES), organisations[i % 40]])

    start = date(2015, 1, 1)
    for i in range(operations):
        begins = start + timedelta(days=rng.randrange(3000))
        rows["operations"].append(
            [
                f"operation-{i:03d}",
                f"Operation Synthetic {i:03d}",
                f"Synthetic {i:03d};Joint Action {i:03d}",
                f"Joint Action {i:03d}: the name some outlets use",
                rng.choice(SUBJECTS) + " smuggling",
                "; ".join(sorted({organisations[rng.randrange(40)] for _ in range(2)})),
                begins.isoformat(),
                (begins + timedelta(days=rng.randrange(10, 60))).isoformat(),
                "A synthetic operation for the benchmark.",
            ]
        )

    figures = []
    for i in range(figures_count):
        measure = rng.choice(list(MEASURES))
        value = rng.randrange(1, 80) if measure == "year_on_year_change" else rng.randrange(5, 60_000)
        figure = Figure(
            slug=f"figure-{i:05d}",
            operation=i // FIGURES_PER_OPERATION % operations,
            organisation=rng.randrange(len(organisations)),
            measure=measure,
            subject=rng.choice(SUBJECTS),
            value=value,
        )
        if i % 50 == 1 and figures[-1].measure == measure and figures[-1].operation == figure.operation:
            figure.value = figures[-1].value  # the same number credited to another actor
        figures.append(figure)
        rows["figures"].append(
            [
                figure.slug,
                f"{figure.subject.capitalize()} {figure.measure.replace('_', ' ')} #{i}",
                f"operation-{figure.operation:03d}",
                organisations[figure.organisation],
                measure,
                figure.subject,
                "",
                "",
                "",
            ]
        )

    # Claim c is the (c % 20)th claim of article c // 20 and states figure c % figures_count,
    # so each figure is stated by articles far apart in the file.
    sentences = [[] for _ in range(articles)]
    for c in range(claims):
        article, figure = c // CLAIMS_PER_ARTICLE % articles, figures[c % figures_count]
        unit, template = MEASURES[figure.measure]
        value, bound = figure.value, "exact"
        roll = rng.random()
        if roll < 0.08:
            value += 1  # a minor difference
        elif roll < 0.12:
            value = value * 3 + 7  # a dispute
        elif roll < 0.20:
            bound = rng.choice(list(BOUND_WORDS))
        number = printed(value) if bound == "exact" else f"{BOUND_WORDS[bound]} {printed(value)}"
        signed = -value if figure.measure == "year_on_year_change" else value
        speaker = rng.randrange(len(people)) if rng.random() < 0.3 else None
        clause = template.format(place=rng.choice(PLACES), n=number, subject=figure.subject)
        sentence = f"In {c % 97 + 1} separate checks, {clause}"
        sentence += f", said {people[speaker]}." if speaker is not None else "."
        sentences[article].append(sentence)
        status = "published" if rng.random() < 0.9 else "draft"
        rows["claims"].append(
            [f"article-{article:05d}", figure.slug, sentence, str(signed), "", unit, bound, "", status, ""]
        )
        if speaker is not None:
            rows["claims"][-1][7] = people[speaker]

    for a in range(articles):
        body = []
        for n, sentence in enumerate(sentences[a]):
            body.append(sentence)
            if n % 3 == 2:
                body.append(rng.choice(FILLER))
        published_on = start + timedelta(days=rng.randrange(3500))
        rows["articles"].append(
            [
                f"article-{a:05d}",
                f"https://news{a % 20:02d}.example/{published_on:%Y/%m/%d}/{a}",
                outlets[rng.randrange(len(outlets))],
                f"Customs report seizures, part {a}",
                published_on.isoformat(),
                "",
                "en",
                "published" if rng.random() < 0.9 else "draft",
                "Synthetic text for the benchmark.",
                "\n\n".join(body),
            ]
        )

    for kind, header in headers().items():
        with open(directory / f"{kind}.csv", "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerows(rows[kind])
    return {kind: len(kind_rows) for kind, kind_rows in rows.items()}


def bulk_load(work, merged_into=None):
    """The articles and figures written to `work`, inserted without the model's checks (they pass
    them), after the outlets, organisations and operations are imported. `merged_into` maps an
    operation's slug to the slug of the operation that takes its figures. Django must be set up."""
    from archive.models import Article, Figure, Operation, Organisation, Outlet

    merged_into = merged_into or {}
    outlets = dict(Outlet.objects.values_list("name", "pk"))
    organisations = dict(Organisation.objects.values_list("name", "pk"))
    operations = dict(Operation.objects.values_list("slug", "pk"))
    with open(work / "articles.csv", newline="", encoding="utf-8") as file:
        Article.objects.bulk_create(
            (
                Article(
                    slug=row["slug"],
                    url=row["url"],
                    outlet_id=outlets[row["outlet"]],
                    title=row["title"],
                    published_on=row["published_on"],
                    language=row["language"],
                    status=row["status"],
                    provenance=row["provenance"],
                    body=row["body"],
                )
                for row in csv.DictReader(file)
            ),
            batch_size=500,
        )
    with open(work / "figures.csv", newline="", encoding="utf-8") as file:
        Figure.objects.bulk_create(
            (
                Figure(
                    slug=row["slug"],
                    title=row["title"],
                    operation_id=operations[merged_into.get(row["operation"], row["operation"])],
                    organisation_id=organisations[row["organisation"]],
                    measure=row["measure"],
                    subject=row["subject"],
                )
                for row in csv.DictReader(file)
            ),
            batch_size=2000,
        )
