"""A speaker's title as each outlet prints it: recorded per claim, found in the article's body like
a quote, and shown beside the speaker on public pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archive.models import Article, Claim

from .admin_forms import form_data
from .csv_support import CHINA_DAILY, CLAIMS_HEADER, GLOBAL_TIMES, export_csv, import_csv
from .test_public_pages import visible

pytestmark = pytest.mark.django_db

CHINA_DAILY_TITLE = "director general of the anti-smuggling bureau of GACC"
GLOBAL_TIMES_TITLE = "director of the anti-smuggling bureau of the General Administration of Customs"


def test_each_outlet_prints_its_own_title_for_the_same_speaker(client, seed):
    china_daily = visible(client.get(reverse("archive:article_detail", args=[CHINA_DAILY])))
    global_times = visible(client.get(reverse("archive:article_detail", args=[GLOBAL_TIMES])))

    assert f"quoting Sun Zhijie, {CHINA_DAILY_TITLE}" in china_daily
    assert f"quoting Sun Zhijie, {GLOBAL_TIMES_TITLE}" in global_times
    assert GLOBAL_TIMES_TITLE not in china_daily
    claims = visible(client.get(reverse("archive:claim_list") + "?figure=china-customs-solid-waste-cases-yoy-2019"))
    assert f"quoting Sun Zhijie, {GLOBAL_TIMES_TITLE}" in claims


def test_a_title_without_a_named_speaker_is_shown_alone(client, seed):
    claim = Claim.objects.get(figure__slug="demeter-v-waste-cases-china")
    article = claim.article
    article.body = article.body.replace("China also reported", "A GACC official said China also reported")
    article.save()
    claim.speaker_title = "A GACC official"
    claim.save()

    page = visible(client.get(claim.figure.get_absolute_url()))

    assert "Speaker A GACC official (the title as Global Times prints it)" in page


def test_a_title_the_body_does_not_print_is_refused_in_the_admin_and_in_csv(editor_client, seed, tmp_path):
    claim = Claim.objects.get(figure__slug="china-customs-solid-waste-cases-yoy-2019")
    message = f"This title does not appear in the body of the article “{claim.article}”."
    claim.speaker_title = "head of the bureau"
    with pytest.raises(ValidationError) as refused:
        claim.full_clean()
    assert refused.value.message_dict["speaker_title"] == [message]

    url = reverse("admin:archive_claim_change", args=[claim.pk])
    data = form_data(editor_client.get(url))
    data["speaker_title"] = "head of the bureau"
    assert message in editor_client.post(url, data).text

    exported = export_csv("claims")
    assert GLOBAL_TIMES_TITLE in exported
    rows = [CLAIMS_HEADER]
    row = dict.fromkeys(CLAIMS_HEADER, "")
    row.update(
        article=GLOBAL_TIMES,
        figure=claim.figure.slug,
        quote=claim.quote,
        value="-23",
        unit="percent",
        speaker="sun-zhijie",
        speaker_title="head of the bureau",
        origin="sun-zhijie",
        origin_words=claim.origin_words,
    )
    rows.append(list(row.values()))
    result = import_csv(tmp_path, "claims", rows)
    assert not result.ok
    assert f"column speaker_title: {message}" in result.err + result.out
    claim.refresh_from_db()
    assert claim.speaker_title == GLOBAL_TIMES_TITLE


def test_a_body_edit_may_not_remove_a_speaker_s_title(seed):
    article = Article.objects.get(slug=CHINA_DAILY)
    article.body = article.body.replace(CHINA_DAILY_TITLE, "head of the bureau")
    with pytest.raises(ValidationError, match="would remove the quoted text of 4 claim"):
        article.full_clean()
