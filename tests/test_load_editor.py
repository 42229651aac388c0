"""The load run's editor saves a claim through the admin as a browser would: the fields it reads
from the change form, posted back with the note changed, save the claim, and the figure's page
shows the note."""

import pytest

from archive.models import Claim

from .benchmarks.load_public import NOTE_LINE, form_fields, toggled


def test_it_adds_its_line_to_a_note_and_takes_it_away():
    assert toggled("") == NOTE_LINE
    assert toggled("Seen in print.") == f"Seen in print.\n\n{NOTE_LINE}"
    assert toggled(toggled("Seen in print.")) == "Seen in print."


def test_it_reads_a_form_as_a_browser_posts_it():
    page = """<form id="other"><input name="elsewhere" value="x"></form>
    <form id="claim_form"><input type="hidden" name="token" value="a&amp;b">
      <input name="title" value="Ivory"><input type="checkbox" name="flag"><input type="checkbox" name="on" checked>
      <input name="off" value="1" disabled><input type="submit" name="_save" value="Save">
      <select name="unit"><option value="">---</option><option value="t" selected>tonnes</option></select>
      <select name="bound"><option value="exact">exact</option><option value="about">about</option></select>
      <select name="tags" multiple><option value="1" selected>1</option><option value="2" selected>2</option></select>
      <textarea name="note">\nFirst line\n</textarea></form>"""
    assert form_fields(page, "claim_form") == [
        ("token", "a&b"),
        ("title", "Ivory"),
        ("on", "on"),
        ("unit", "t"),
        ("bound", "exact"),
        ("tags", "1"),
        ("tags", "2"),
        ("note", "First line\n"),
    ]


@pytest.mark.django_db
def test_its_save_through_the_change_form_changes_the_note_alone(seed, editor_client):
    claim = Claim.objects.published().order_by("pk").first()
    before = {field.attname: getattr(claim, field.attname) for field in Claim._meta.fields}
    address = f"/admin/archive/claim/{claim.pk}/change/"
    for expected in (toggled(claim.note), claim.note):
        fields = form_fields(editor_client.get(address).content.decode(), "claim_form")
        data = {}
        for name, value in fields:
            data.setdefault(name, []).append(value)
        data.update(note=toggled(data["note"][0]), _save="Save")
        response = editor_client.post(address, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        claim.refresh_from_db()
        assert claim.note == expected
        # What the load run checks after each save: the figure's page shows the note as saved.
        figure_page = editor_client.get(claim.figure.get_absolute_url()).content.decode()
        assert figure_page.count(NOTE_LINE) == expected.count(NOTE_LINE)
    after = {field.attname: getattr(claim, field.attname) for field in Claim._meta.fields}
    assert {name for name in before if before[name] != after[name]} <= {"updated_at", "version"}
