"""The pages as a demanding DPO reads them, in bokmål and English (issue 18): grammar that agrees
with the count, dates in the language's own format, labels that say what they do. AppTest on the
demo register."""

from __future__ import annotations

import pytest
from conftest import app_page


def test_a_recipient_used_by_one_activity_is_spoken_of_in_the_singular(demo_url):
    name = "Annonsenettverk og annonsører"
    at = app_page("recipients", "en", rec_org="Allprofil AS", rec_pick=name)
    captions = " ".join(c.value for c in at.caption)
    assert "Used by AP-06. Changes here apply to that activity too." in captions
    assert "Remove it from that activity first." in at.info[0].value and "those activities" not in at.info[0].value
    at = app_page("recipients", "nb", rec_org="Allprofil AS", rec_pick=name)
    assert "Fjern den fra behandlingsaktiviteten først." in at.info[0].value
    assert "disse behandlingsaktivitetene" not in " ".join(c.value for c in at.caption)


def test_the_versions_page_shows_a_date_as_the_language_writes_it(demo_url):
    for lang, shown in (("nb", "DD.MM.YYYY"), ("en", "YYYY-MM-DD")):
        at = app_page("versions", lang)
        at.selectbox(key="versions_a").set_value("\x00date")
        at.run()
        assert [d.proto.format for d in at.date_input] == [shown, shown]


def test_the_import_page_says_its_bokmål_right(demo_url):
    at = app_page("import", "nb")
    intro = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert "et annet oppsett" in intro and "en annen oppsett" not in intro


def test_the_history_page_says_what_its_count_limits(demo_url):
    at = app_page("history", "en", h_org="Allprofil AS")
    field = at.number_input(key="h_limit")
    assert field.label == "Latest changes shown" and not field.disabled
    assert app_page("history", "nb").number_input(key="h_limit").label == "Siste endringer som vises"
    at.selectbox(key="h_ref").set_value("AP-01")
    at.run()
    assert at.number_input(key="h_limit").disabled  # an activity's history is shown whole


NO_ORG_CSV = "Navn;Formål;Behandlingsgrunnlag\nKundeliste;Salg;Avtale\nAnsatte;HR;Avtale\n".encode()


def _import_page(lang: str, data: bytes = NO_ORG_CSV, name: str = "liste.csv"):
    """The import page with a file as the uploader would have handed it over."""
    import hashlib

    return app_page("import", lang, import_file={"name": name, "data": data, "digest": hashlib.sha256(data).hexdigest()})


def test_import_rows_that_name_no_organisation_show_empty_cells_not_none(demo_url):
    at = _import_page("en")
    preview, changes = at.dataframe[1].value, at.dataframe[2].value
    for table in (preview, changes):
        assert table.notna().all().all(), table
        assert not (table == "None").any().any()
    assert list(preview["Status"]) == ["error", "error"]


def test_import_problems_about_the_organisation_are_told_in_bokmål(demo_url):
    at = _import_page("nb")
    told = " ".join(str(v) for v in at.dataframe[-1].value.iloc[:, 1])
    assert "hvilken virksomhet hører raden til?" in told and "which organisation" not in told
    assert "«Virksomhet for rader uten virksomhet»" in told
    assert "which organisation does this row belong to?" in " ".join(str(v) for v in _import_page("en").dataframe[-1].value.iloc[:, 1])


def test_the_import_column_table_names_fields_by_their_labels_not_their_keys(demo_url):
    from ropa.excel import mapping

    for lang, field, label in (("nb", "Felt", "Behandlingsgrunnlag"), ("en", "Field", "Lawful basis for processing")):
        shown = list(_import_page(lang).dataframe[0].value[field])
        assert label in shown, shown
        assert not [s for s in shown if any(f"({k})" in s for k in mapping.TARGETS)], shown
        labels = [t.label(lang) for t in mapping.TARGETS.values()]
        assert len(set(labels)) == len(labels)  # unique: a label alone tells the fields apart


def test_an_imported_row_without_a_reference_is_told_its_new_one_in_bokmål(demo_url):
    data = "Virksomhet;Navn;Formål\nAllprofil AS;Ansatte;HR\n".encode()
    notes = list(_import_page("nb", data).dataframe[1].value["Merknader"])
    assert notes == ["rad 2: ingen referanse; den får AP-09"], notes
    assert list(_import_page("en", data).dataframe[1].value["Notes"]) == ["row 2: no reference; it gets AP-09"]


def test_one_import_error_is_spoken_of_in_the_singular(demo_url):
    data = "Virksomhet;Navn;Formål;Overføres ut av EØS?\nAllprofil AS;Ansatte;HR;Narnia\n".encode()
    assert _import_page("nb", data).error[0].value.startswith("1 feil: rett den i filen")
    assert _import_page("en", data).error[0].value.startswith("1 error: fix it in the file")


def test_my_tasks_says_what_it_lists_where_the_rest_is_and_dates_reviews_in_the_language(demo_url):
    from datetime import date

    from ropa import access, db, review, users
    from ropa.models import ProcessingActivity
    from ropa.register.activities import get_activity

    at = app_page("tasks", "nb")
    assert "du eier" in at.caption[0].value and "30 dager" in at.caption[0].value
    assert "«Funn»" in at.success[0].value
    assert "Findings page" in app_page("tasks", "en").success[0].value

    engine = db.make_engine(demo_url)
    with db.transaction(engine) as s:
        users.add_user(s, "dora", role="dpo", password="correct horse battery staple 42", actor="setup")
        review.set_owner(s, "Allprofil AS", "AP-01", "dora", actor="dora")
        act = get_activity(s, "Allprofil AS", "AP-01")
        s.execute(ProcessingActivity.__table__.update().where(ProcessingActivity.id == act.id).values(next_review=date(2026, 1, 31)))
    with db.session(engine) as s:
        dora = access.load_principal(s, "dora")
    engine.dispose()
    for lang, head, shown in (("nb", "Neste gjennomgang", "31.01.2026"), ("en", "Next review", "2026-01-31")):
        table = app_page("tasks", lang, ropa_principal=dora).dataframe[0].value
        assert list(table[head]) == [shown]


def test_every_language_picker_names_the_languages_alike(demo_url):
    for page in ("notices", "export", "versions"):
        at = app_page(page, "en")
        assert [list(r.options) for r in at.radio] and all(list(r.options) == ["Norsk bokmål", "English"] for r in at.radio), page


def test_the_import_preview_figures_are_labelled_as_counts(demo_url):
    data = "Virksomhet;Navn;Formål\nAllprofil AS;Ansatte;HR\n".encode()
    assert [m.label for m in _import_page("nb", data).metric] == ["Nye", "Endrede", "Uendrede", "Med feil", "Hoppes over"]
    assert [m.label for m in _import_page("en", data).metric] == ["New", "Changed", "Unchanged", "With errors", "Skipped"]


def test_two_notes_on_one_imported_row_are_kept_apart(demo_url):
    data = "Virksomhet;Navn;Formål;Overføres ut av EØS?\nAllprofil AS;Ansatte;HR;Narnia\n".encode()
    notes = _import_page("en", data).dataframe[1].value["Notes"][0]
    assert notes == "row 2, 'Overføres ut av EØS?': 'Narnia' is not yes or no · row 2: no reference; it gets AP-09", notes


@pytest.fixture
def empty_url(tmp_path, monkeypatch):
    """An empty, migrated register (no demo) as ``ROPA_DATABASE_URL`` for AppTest."""
    import streamlit as st

    from ropa import db

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    engine.dispose()
    monkeypatch.setenv("ROPA_DATABASE_URL", url)
    st.cache_resource.clear()
    yield url
    st.cache_resource.clear()


def test_an_empty_register_tells_what_to_do_once_on_each_page(empty_url):
    notice = app_page("notices", "nb").info[0].value
    assert "Opprett en på siden «Virksomheter»" in notice
    assert "Create one on the Organisations page" in app_page("notices", "en").info[0].value
    at = app_page("organisations", "nb")
    assert len(at.info) == 1  # the empty register is told once, not again inside the Edit tab
    assert "opprett den første under «Ny virksomhet»" in " ".join(c.value for c in at.caption)


def test_the_export_language_names_every_file_it_governs_and_an_empty_register_gives_a_template(empty_url):
    at = app_page("export", "nb")
    assert at.radio[0].label == "Språk i filene" and "protokollen som dokument" in at.radio[0].help
    assert app_page("export", "en").radio[0].label == "Language of the files"
    assert "tom mal" in " ".join(c.value for c in at.caption[1:])


def test_the_compared_states_are_dated_as_the_language_writes_them(demo_url):
    from datetime import date

    for lang, shown in (("nb", "registeret per 01.07.2026 23:59 CEST → registeret nå"), ("en", "the register as of 2026-07-01 23:59 CEST → the register now")):
        at = app_page("versions", lang)
        at.selectbox(key="versions_a").set_value("\x00date")
        at.run()
        at.date_input(key="versions_a_date").set_value(date(2026, 7, 1))
        at.button(key="versions_compare").click()
        at.run()
        assert shown in [c.value for c in at.caption], [c.value for c in at.caption]


def test_what_changed_starts_from_yesterday_so_a_first_compare_shows_todays_changes(demo_url):
    from datetime import timedelta

    from ropa.audit import oslo_today

    at = app_page("versions", "en")
    assert at.selectbox(key="versions_a").value == "\x00date"  # no snapshots yet: a date
    assert at.date_input(key="versions_a_date").value == oslo_today() - timedelta(days=1)
    assert at.date_input(key="versions_export_date").value == oslo_today()
    at.button(key="versions_compare").click()
    at.run()
    assert [m.value for m in at.metric][0] != "0"  # the demo register was made today: all of it is new since yesterday


def test_the_history_table_gives_the_before_and_after_columns_room(demo_url):
    import json

    at = app_page("history", "nb", h_org="Allprofil AS")
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["Før"]["width"] == "medium" and config["Etter"]["width"] == "large" and config["Felt"]["width"] == "small"


def test_what_changed_says_what_its_figures_count_and_counts_the_organisations(demo_url):
    at = app_page("versions", "nb")
    at.button(key="versions_compare").click()
    at.run()
    figures = {m.label: m.value for m in at.metric}
    assert list(figures) == ["Aktiviteter lagt til", "Aktiviteter fjernet", "Aktiviteter endret", "Virksomheter med endringer"]
    assert figures["Aktiviteter lagt til"] == "37" and figures["Virksomheter med endringer"] == "5"  # the demo was made today


def test_the_overviews_reviews_due_says_where_the_never_reviewed_are(demo_url):
    """The demo's activities were never reviewed, so "Reviews due" reads 0: its help says what it
    counts and where those never reviewed are, in the language of the page."""
    for lang, counted, elsewhere in (
        ("en", "next planned review is today or earlier", "'Never reviewed, no review planned'"),
        ("nb", "neste planlagte gjennomgang er i dag eller tidligere", "«Aldri gjennomgått, ingen gjennomgang planlagt»"),
    ):
        at = app_page("overview", lang)
        label = "Reviews due" if lang == "en" else "Gjennomgang forfalt"
        due = next(m for m in at.metric if m.label == label)
        assert counted in due.proto.help and elsewhere in due.proto.help
