"""Versions: the register's snapshots (list, take one), what changed between two states, and the
register as it was at a snapshot or a date, for download. Only choices and drawing here; the
work is :mod:`ropa.versions`."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Optional

import pandas as pd
import streamlit as st

from ropa import access, audit, db, versions
from ropa.audit import oslo_today
from ropa.text import markdown
from ropa.text import table as safe_table
from ropa.ui import downloads, errors, signin, state

ui = state.lang()
TEXT = {
    "title": ("Versjoner", "Versions"),
    "intro": (
        "Øyeblikksbilder er kopier av hele registeret som aldri kan endres. Registeret slik det var på en dato bygges "
        "opp igjen fra revisjonssporet. Tider er norsk tid (Europe/Oslo).",
        "Snapshots are copies of the whole register that can never be changed. The register as it was on a date is "
        "rebuilt from the audit trail. Times are Norwegian time (Europe/Oslo).",
    ),
    "snapshots": ("Øyeblikksbilder", "Snapshots"),
    "none": ("Ingen øyeblikksbilder ennå.", "No snapshots yet."),
    "id": ("Nr.", "No."),
    "label": ("Navn", "Label"),
    "taken": ("Tatt", "Taken"),
    "by": ("Av", "By"),
    "orgs": ("Virksomheter", "Organisations"),
    "acts": ("Behandlingsaktiviteter", "Processing activities"),
    "create": ("Ta et øyeblikksbilde", "Take a snapshot"),
    "create_label": ("Navn på øyeblikksbildet", "Label of the snapshot"),
    "create_help": ("F.eks. «Før revisjon 2026»; navnet må være unikt.", "E.g. 'Before the 2026 audit'; the label must be unique."),
    "create_go": ("Ta øyeblikksbilde", "Take snapshot"),
    "created": ("Øyeblikksbildet «{label}» er lagret: {acts} behandlingsaktiviteter.", "Snapshot '{label}' is stored: {acts} processing activities."),
    "no_create": (
        "Bare personvernombud og administratorer for alle virksomheter kan ta øyeblikksbilder.",
        "Only data protection officers and administrators for all organisations can take snapshots.",
    ),
    "compare": ("Hva er endret", "What changed"),
    "from": ("Fra", "From"),
    "to": ("Til", "To"),
    "now": ("Registeret nå", "The register now"),
    "a_date": ("En dato …", "A date …"),
    "date": ("Dato (slutten av dagen)", "Date (end of the day)"),
    "compare_go": ("Sammenlign", "Compare"),
    "same": ("Ingen forskjeller.", "No differences."),
    "added": ("Aktiviteter lagt til", "Activities added"),
    "removed": ("Aktiviteter fjernet", "Activities removed"),
    "changed": ("Aktiviteter endret", "Activities changed"),
    "orgs_changed": ("Virksomheter med endringer", "Organisations with changes"),
    "what": ("Hva", "What"),
    "org": ("Virksomhet", "Organisation"),
    "ref": ("Ref.", "Ref"),
    "name": ("Navn", "Name"),
    "field": ("Felt", "Field"),
    "change": ("Endring", "Change"),
    "before": ("Før", "Before"),
    "after": ("Etter", "After"),
    "download": ("Last ned registeret slik det var", "Download the register as it was"),
    "state": ("Tilstand", "State"),
    "lang": ("Språk i arbeidsboken", "Language of the workbook"),
    "make": ("Lag filene", "Create the files"),
    "xlsx": ("Last ned arbeidsbok (.xlsx)", "Download workbook (.xlsx)"),
    "json": ("Last ned JSON (.json)", "Download JSON (.json)"),
    "made": ("{what}: {acts} behandlingsaktiviteter.", "{what}: {acts} processing activities."),
}
t = state.words(TEXT)
me = signin.principal()

st.title(t("title"))
st.caption(t("intro"))
state.show_flash()

with access.reading_as(me), db.session(state.engine()) as s:
    snaps = versions.list_snapshots(s)
    whole = versions.counts_shown()  # a snapshot's counts are of the whole register

st.subheader(t("snapshots"))
if snaps:
    st.dataframe(
        safe_table(
            pd.DataFrame(
                [
                    {
                        t("id"): x.id,
                        t("label"): x.label,
                        t("taken"): audit.local_time(x.created_at, ui),
                        t("by"): x.created_by,
                        **({t("orgs"): x.organisations, t("acts"): x.activities} if whole else {}),
                    }
                    for x in snaps
                ]
            )
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.info(t("none"))

if access.can(me, access.SNAPSHOT):
    with st.form("snapshot_create", clear_on_submit=True):
        label = st.text_input(t("create_label"), help=t("create_help"), key="snapshot_label")
        go = st.form_submit_button(t("create_go"), type="primary", icon=":material/photo_camera:")
    if go:
        with errors.reported() as outcome, db.transaction(state.engine()) as s:
            snap = versions.create(s, label, actor=me, source="dashboard")
            made = {"label": snap.label, "acts": snap.activities}
        if not outcome.failed:
            state.flash(t("created", **made))
            st.rerun()
else:
    st.caption(t("no_create"))

NOW, DATE = "\x00now", "\x00date"
labels = [x.label for x in snaps]


def _pick(where: st.delta_generator.DeltaGenerator, title: str, key: str, *, now_first: bool, day: Optional[date] = None) -> Optional[str]:
    """A state to show: a snapshot's label, a date (ISO text; ``day`` first, else today in Oslo), or None for now."""
    options = [NOW, *labels, DATE] if now_first else [*labels, DATE, NOW]
    choice = where.selectbox(title, options, key=key, placeholder="—", format_func=lambda o: t("now") if o == NOW else t("a_date") if o == DATE else o)
    if choice == DATE:
        return where.date_input(t("date"), value=day or oslo_today(), key=f"{key}_date", format=state.date_format()).isoformat()
    return None if choice == NOW else choice


st.divider()
st.subheader(t("compare"))
left, right = st.columns(2)
a = _pick(left, t("from"), "versions_a", now_first=False, day=oslo_today() - timedelta(days=1))  # the end of today would equal now
b = _pick(right, t("to"), "versions_b", now_first=True)
if st.button(t("compare_go"), icon=":material/difference:", key="versions_compare"):
    with errors.reported() as outcome, access.reading_as(me), db.session(state.engine()) as s:
        found = versions.diff(s, a if a is not None else "now", b)
    if not outcome.failed:
        st.session_state["versions_diff"] = {"key": (a, b, ui), "diff": found}
shown = st.session_state.get("versions_diff")
if shown and shown["key"] == (a, b, ui):
    found = shown["diff"]
    st.caption(markdown(f"{found.a.describe(ui)} → {found.b.describe(ui)}"))
    for line in versions.timeline.summarise([*found.a.gaps, *found.b.gaps], ui):
        st.warning(markdown(line), icon=":material/help:")
    one, two, three, four = st.columns(4)
    one.metric(t("added"), len(found.added))
    two.metric(t("removed"), len(found.removed))
    three.metric(t("changed"), len(found.changed))
    four.metric(t("orgs_changed"), len(found.organisations))  # added, removed or their own fields changed
    rows = found.rows(ui)
    if rows:
        st.dataframe(
            safe_table(pd.DataFrame([{t(k if k != "organisation" else "org"): v for k, v in r.items()} for r in rows])), hide_index=True, width="stretch"
        )
    else:
        st.success(t("same"))

st.divider()
st.subheader(t("download"))
c1, c2 = st.columns(2)
chosen = _pick(c1, t("state"), "versions_export", now_first=False)
book_lang = c2.radio(
    t("lang"),
    ["nb", "en"],
    index=0 if ui == "nb" else 1,
    horizontal=True,
    key="versions_lang",
    format_func=lambda code: state.LANGUAGES[code],
)
if st.button(t("make"), icon=":material/download:", key="versions_make"):
    workbook = io.BytesIO()
    with errors.reported() as outcome, access.reading_as(me), db.session(state.engine()) as s:
        past = versions.state_of(s, chosen if chosen is not None else "now", permission=access.EXPORT)
        versions.write_workbook(s, past, workbook, lang=book_lang)
        document = versions.json_text(past)
    if not outcome.failed:
        st.session_state["versions_files"] = {
            "key": (chosen, book_lang),
            "xlsx": workbook.getvalue(),
            "json": document.encode("utf-8"),
            "what": past.describe(ui),
            "acts": past.activities,
            "gaps": versions.timeline.summarise(past.gaps, ui),
        }
files = st.session_state.get("versions_files")
if files and files["key"] == (chosen, book_lang):
    st.success(markdown(t("made", what=files["what"], acts=files["acts"])))
    for gap in files["gaps"]:
        st.warning(markdown(gap), icon=":material/help:")
    tag = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in str(chosen or date.today().isoformat()))[:60]
    downloads.register_files(files["xlsx"], files["json"], lang=book_lang, tag=tag, labels=(t("xlsx"), t("json")))
