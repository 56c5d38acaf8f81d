"""The editor's six sections, in the order of Art. 30, as tabs of which only the open one is drawn.

Each section gives the fields it edits; a section not drawn in this run gives what the user left
in it (kept in session state) or, never opened, the fields as stored. Drawing one section instead
of the whole form keeps opening the editor and saving under a second at 10,000 activities.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ropa import dpia, editing, vocab
from ropa.fields import ACTIVITY, RECIPIENT, TRANSFER
from ropa.grammar import count_in
from ropa.text import markdown
from ropa.ui import state
from ropa.ui.editor.form import KEEP, E, Form, day

t = state.t
TRANSFER_COLUMNS = ["country", "international_organisation", "recipient", "mechanism", "safeguard", "tia_date", "frequency", "adequacy_scope_confirmed", "note"]
YES_NO_BLANK = [None, True, False]


def _yes_no(v: bool | None) -> str:
    return {None: "—", True: t("Ja", "Yes"), False: t("Nei", "No")}[v]


def _yes_no_pick(where: Any, label: str, value: bool | None, key: str) -> bool | None:
    """A yes / no / not answered picker, its value kept while its section is closed."""
    picked: bool | None = where.selectbox(
        label, YES_NO_BLANK, index=YES_NO_BLANK.index(value), key=key, placeholder="—", format_func=_yes_no, persist_state=KEEP
    )
    return picked


def processing(f: Form) -> dict[str, Any]:
    K, data = f.key, f.data
    st.caption(t("Felt merket * må fylles ut.", "Fields marked * are required."))
    c = st.columns([1, 3])
    new_ref = c[0].text_input(f.label("ref"), data["ref"], key=f"{K}_ref", help=f.helptext("ref"), persist_state=KEEP)
    name = c[1].text_input(f.label("name"), data["name"], key=f"{K}_name", help=f.helptext("name"), persist_state=KEEP)
    f.errors("ref")
    f.errors("name")
    description = st.text_area(f.label("description"), data.get("description") or "", key=f"{K}_description", persist_state=KEEP)
    c3 = st.columns(3)
    role = f.pick("role", vocab.ROLES, data.get("role"), where=c3[0])
    status = f.pick("status", vocab.STATUSES, data.get("status"), where=c3[1])
    owner = c3[2].text_input(f.label("owner"), data.get("owner") or "", key=f"{K}_owner", persist_state=KEEP)
    controllers = f.list_field("controllers")
    return {
        "ref": new_ref.strip(),
        "name": name.strip(),
        "description": description or None,
        "role": role,
        "controllers": controllers,
        "status": status,
        "owner": owner or None,
    }


def purposes(f: Form) -> dict[str, Any]:
    return {"purposes": f.list_field("purposes"), "legal_bases": f.basis_field("legal_bases", vocab.LEGAL_BASES)}


def personal_data(f: Form) -> dict[str, Any]:
    K, data = f.key, f.data
    out = {
        "data_subjects": f.taxonomy_field("data_subjects", "data_subject", list(vocab.DATA_SUBJECTS)),
        "data_categories": f.taxonomy_field("data_categories", "data_category", list(vocab.DATA_CATEGORIES)),
        "special_categories": f.taxonomy_field("special_categories", "data_category", sorted(vocab.SPECIAL_CATEGORY_KEYS)),
        "art9_conditions": f.basis_field("art9_conditions", vocab.ART9_CONDITIONS),
    }
    c = st.columns([1, 3])
    out["criminal_data"] = c[0].checkbox(f.label("criminal_data"), bool(data.get("criminal_data")), key=f"{K}_criminal", persist_state=KEEP)
    basis = c[1].text_input(f.label("criminal_data_basis"), data.get("criminal_data_basis") or "", key=f"{K}_criminal_basis", persist_state=KEEP)
    out["criminal_data_basis"] = basis or None
    f.errors("criminal_data_basis")
    out["sources"] = f.list_field("sources")
    return out


def recipients(f: Form) -> dict[str, Any]:
    K, data, known, lang = f.key, f.data, f.known, f.lang
    if known:
        picked = st.multiselect(
            f.label("recipients"),
            list(known),
            default=[r["name"] for r in data.get("recipients") or [] if r["name"] in known],
            key=f"{K}_recipients",
            placeholder=t("Velg mottakere …", "Choose recipients …"),
            help=t("Virksomhetens mottakere; nye legges til i tabellen under.", "The organisation's recipients; add new ones in the table below."),
            format_func=lambda n: f"{n} ({vocab.term_label(vocab.RECIPIENT_KINDS, known[n]['kind'], lang)})",
            persist_state=KEEP,
        )
    else:  # an empty list would only say Streamlit's English "No results" when opened
        st.markdown(f"**{markdown(f.label('recipients'))}**")
        st.caption(
            t("Virksomheten har ingen mottakere ennå; legg dem til i tabellen under.", "The organisation has no recipients yet; add them in the table below.")
        )
        picked = []
    no_recipients = st.checkbox(
        f.label("no_recipients"), bool(data.get("no_recipients")), key=f"{K}_no_recipients", help=ACTIVITY["no_recipients"].help(lang), persist_state=KEEP
    )
    kinds = editing.code_options(vocab.RECIPIENT_KINDS, lang, display=False)
    countries = editing.country_options(lang)
    st.markdown(f"**{t('Nye mottakere', 'New recipients')}**")
    new_recipients = f.grid(
        "new_recipients",
        [
            {
                "name": r["name"],
                "kind": vocab.term_label(vocab.RECIPIENT_KINDS, r["kind"], lang),
                "country": editing.country_option(r["country"], lang) if r.get("country") else None,
                "agreement": r.get("agreement"),
            }
            for r in data.get("recipients") or []
            if r["name"] not in known
        ],
        ["name", "kind", "country", "agreement"],
        {
            "name": st.column_config.TextColumn(t("Ny mottaker", "New recipient"), width="large"),
            "kind": st.column_config.SelectboxColumn(RECIPIENT["kind"].label(lang), options=list(kinds)),
            "country": st.column_config.SelectboxColumn(RECIPIENT["country"].label(lang), options=list(countries)),
            "agreement": st.column_config.TextColumn(f.label("agreement", RECIPIENT)),
        },
    )
    f.errors("recipients")
    # A recipient typed above can be chosen for a transfer at once, before the activity is saved.
    typed = [n for n in (editing.clean(v) for v in new_recipients["name"].tolist()) if n] if len(new_recipients) else []
    recipient_names = list(dict.fromkeys([*known, *typed]))

    st.markdown(
        f"**{f.label('transfers')}**",
        help=t(
            "Landvelgeren viser om landet er i EØS, har adekvansbeslutning (og eventuelle vilkår) eller er en tredjestat.",
            "The country picker shows whether the country is in the EEA, has an adequacy decision (and any condition) or is a third country.",
        ),
    )
    transfer_rows = f.grid(
        "transfers",
        editing.transfer_rows(data.get("transfers") or [], lang),
        TRANSFER_COLUMNS,
        {
            "country": st.column_config.SelectboxColumn(TRANSFER["country"].label(lang), options=list(countries), width="medium"),
            "international_organisation": st.column_config.TextColumn(TRANSFER["international_organisation"].label(lang)),
            "recipient": st.column_config.SelectboxColumn(TRANSFER["recipient"].label(lang), options=recipient_names),
            "mechanism": st.column_config.SelectboxColumn(f.label("mechanism", TRANSFER), options=list(editing.mechanism_options(lang)), width="medium"),
            "safeguard": st.column_config.TextColumn(TRANSFER["safeguard"].label(lang)),
            "tia_date": st.column_config.DateColumn(TRANSFER["tia_date"].label(lang), format="YYYY-MM-DD"),
            "frequency": st.column_config.SelectboxColumn(
                TRANSFER["frequency"].label(lang), options=list(editing.code_options(vocab.TRANSFER_FREQUENCIES, lang, display=False))
            ),
            "adequacy_scope_confirmed": st.column_config.CheckboxColumn(TRANSFER["adequacy_scope_confirmed"].label(lang)),
            "note": st.column_config.TextColumn(TRANSFER["note"].label(lang)),
        },
        signature="\n".join(recipient_names),
        dates=("tia_date",),
    )
    f.errors("transfers")
    _add_transfer(f, transfer_rows.to_dict("records"))
    return {
        "recipients": editing.recipients_from(picked, known, new_recipients.to_dict("records"), lang),
        "no_recipients": no_recipients,
        "transfers": editing.transfers_from_rows(transfer_rows.to_dict("records"), lang),
    }


def _add_transfer(f: Form, rows: list[dict[str, Any]]) -> None:
    """A transfer added by typing the country's name or code (the table's own picker finds only by prefix)."""
    K, lang = f.key, f.lang
    with st.container(border=True):
        st.markdown(
            t(
                "**Legg til en overføring**: skriv landets navn eller kode (f.eks. «Kina», «USA», «UK», «CN»).",
                "**Add a transfer**: type the country's name or code (e.g. 'China', 'USA', 'UK', 'CN').",
            )
        )
        c = st.columns([2, 3, 2])
        added = int(st.session_state.get(f"{K}_transfers_added", 0))  # a fresh search box after each transfer added
        query = c[0].text_input(
            t("Søk etter land", "Search for a country"), key=f"{K}_country_query_{added}", placeholder=t("Land eller ISO-kode …", "Country or ISO code …")
        )
        found = editing.country_choices(query, lang) if query.strip() else {}
        chosen = c[1].selectbox(
            t("Land", "Country"),
            list(found),
            key=f"{K}_country_pick_{query.strip().casefold()}",
            placeholder=t("Ingen treff" if query.strip() else "Skriv i søkefeltet", "No match" if query.strip() else "Type in the search box"),
            index=0 if found else None,
            disabled=not found,
        )
        c[2].markdown("&nbsp;")
        if c[2].button(t("Legg til overføring", "Add transfer"), icon=":material/add:", key=f"{K}_add_transfer", disabled=not chosen):
            current = [{k: editing.clean(v) for k, v in r.items()} for r in rows]
            f.redraw("transfers", [*current, {"country": chosen, "adequacy_scope_confirmed": False}])
            st.session_state[f"{K}_transfers_added"] = added + 1
            st.rerun()


def retention(f: Form) -> dict[str, Any]:
    K = f.key
    r = f.data.get("retention") or {}
    c = st.columns(4)
    period = c[0].number_input(
        f.label("retention.period"), min_value=0, value=r.get("period"), step=1, key=f"{K}_period", placeholder=t("antall", "number"), persist_state=KEEP
    )
    unit = f.pick("retention.unit", vocab.RETENTION_UNITS, r.get("unit"), optional=True, where=c[1])
    trigger = c[2].text_input(f.label("retention.trigger"), r.get("trigger") or "", key=f"{K}_trigger", persist_state=KEEP)
    action = f.pick("retention.action", vocab.RETENTION_ACTIONS, r.get("action"), optional=True, where=c[3])
    text = st.text_area(
        f.label("retention.text"),
        r.get("text") or "",
        key=f"{K}_retention_text",
        height=80,
        help=t("Ordlyden slik den står i kilden; beholdes alltid.", "The wording as the source has it; always kept."),
        persist_state=KEEP,
    )
    f.errors("retention")
    return {
        "retention": {"period": int(period) if period is not None else None, "unit": unit, "trigger": trigger or None, "action": action, "text": text or None},
        "security_measures": f.list_field("security_measures"),
        "systems": f.list_field("systems"),
    }


def dpia_and_review(f: Form) -> dict[str, Any]:
    K, data, lang = f.key, f.data, f.lang
    d = data.get("dpia") or {}
    c = st.columns([1, 2])
    dpia_status = f.pick("dpia.status", vocab.DPIA_STATUSES, d.get("status") or "not_assessed", where=c[0])
    dpia_ref = c[1].text_input(f.label("dpia.ref"), d.get("ref") or "", key=f"{K}_dpia_ref", persist_state=KEEP)
    stored = d.get("screening") or {}
    outcome = dpia.screen(stored, data)
    (st.warning if outcome.dpia_expected else st.info)(outcome.explain(lang))
    suggested = dpia.suggest(data)
    with st.expander(f.label("dpia.screening"), expanded=bool(stored) or bool(suggested)):
        answers: dict[str, bool | None] = {}
        notes: dict[str, str | None] = {}
        for key, term in vocab.DPIA_CRITERIA.items():
            given = (stored.get(key) or {}).get("answer")
            hint = suggested.get(key) if key not in stored else None
            c = st.columns([3, 2, 3])
            c[0].markdown(f"{term.label(lang)}  \n:gray[{vocab.article_in(term.article, lang)}]")
            answers[key] = c[1].radio(
                term.label(lang),
                YES_NO_BLANK,
                index=YES_NO_BLANK.index(given),
                horizontal=True,
                key=f"{K}_scr_{key}",
                label_visibility="collapsed",
                format_func=_yes_no,
                persist_state=KEEP,
            )
            notes[key] = c[2].text_input(
                t("Merknad", "Note"),
                (stored.get(key) or {}).get("note") or "",
                key=f"{K}_scrnote_{key}",
                label_visibility="collapsed",
                placeholder=(t("Forslag: ja – ", "Suggested: yes – ") + hint["note"]) if hint else t("Merknad", "Note"),
                persist_state=KEEP,
            )

    # What privacy notices need beyond Art. 30 (Art. 13/14); labels and codes from the field table.
    st.subheader(t("Til personvernerklæringen (art. 13 og 14)", "For the privacy notice (Art. 13 and 14)"))
    tr = data.get("transparency") or {}
    c4 = st.columns(4)
    collection = f.pick("transparency.collection", vocab.COLLECTION, tr.get("collection"), optional=True, where=c4[0])
    sources_public = _yes_no_pick(c4[1], f.label("transparency.sources_public"), tr.get("sources_public"), f"{K}_sources_public")
    provision = f.pick("transparency.provision", vocab.PROVISION_REQUIREMENTS, tr.get("provision"), optional=True, where=c4[2])
    automated = _yes_no_pick(c4[3], f.label("transparency.automated_decisions"), tr.get("automated_decisions"), f"{K}_automated")
    c2 = st.columns(2)
    consequences = c2[0].text_area(
        f.label("transparency.provision_consequences"), tr.get("provision_consequences") or "", key=f"{K}_consequences", height=80, persist_state=KEEP
    )
    logic = c2[1].text_area(f.label("transparency.automated_logic"), tr.get("automated_logic") or "", key=f"{K}_logic", height=80, persist_state=KEEP)
    f.errors("transparency")

    st.markdown(f"**{t('Gjennomgang', 'Review')}**")
    dates = st.columns(2)
    date_format = "DD.MM.YYYY" if lang == "nb" else "YYYY-MM-DD"  # the placeholder shows it; Streamlit's letters stay Y, M, D
    last_review = dates[0].date_input(f.label("last_review"), day(data.get("last_review")), key=f"{K}_last_review", format=date_format, persist_state=KEEP)
    next_review = dates[1].date_input(f.label("next_review"), day(data.get("next_review")), key=f"{K}_next_review", format=date_format, persist_state=KEEP)
    return {
        "dpia": {"status": dpia_status, "ref": dpia_ref or None, "screening": editing.screening_from(answers, notes)},
        "last_review": last_review.isoformat() if last_review else None,
        "next_review": next_review.isoformat() if next_review else None,
        "transparency": {
            "collection": collection,
            "sources_public": sources_public,
            "provision": provision,
            "provision_consequences": consequences or None,
            "automated_decisions": automated,
            "automated_logic": logic or None,
        },
        **_plain_fields(f, date_format),
    }


def _plain_fields(f: Form, date_format: str) -> dict[str, Any]:
    """A plain field of the field table that no widget above shows (one added since), drawn by its kind."""
    K, data = f.key, f.data
    plain: dict[str, Any] = {}
    for key in PLAIN:
        spec, value = ACTIVITY[key], data.get(key)
        if spec.kind == "bool":
            plain[key] = st.checkbox(f.label(key), bool(value), key=f"{K}_{key}", help=f.helptext(key), persist_state=KEEP)
        elif spec.kind == "date":
            picked = st.date_input(f.label(key), day(value), key=f"{K}_{key}", format=date_format, help=f.helptext(key), persist_state=KEEP)
            plain[key] = picked.isoformat() if picked else None
        elif spec.kind == "int":
            plain[key] = st.number_input(f.label(key), value=value, step=1, key=f"{K}_{key}", help=f.helptext(key), persist_state=KEEP)
        elif spec.kind == "list":
            text = st.text_area(f.label(key), "\n".join(value or []), key=f"{K}_{key}", help=f.helptext(key), persist_state=KEEP)
            plain[key] = [line.strip() for line in text.splitlines() if line.strip()]
        else:
            widget = st.text_area if spec.kind == "longtext" else st.text_input
            plain[key] = widget(f.label(key), value or "", key=f"{K}_{key}", help=f.helptext(key), persist_state=KEEP) or None
    return plain


# code -> (bokmål, English), the fields it edits (a problem about one marks its tab), how it is drawn
SECTIONS: dict[str, tuple[tuple[str, str], tuple[str, ...], Callable[[Form], dict[str, Any]]]] = {
    "processing": (("Behandlingen", "The processing"), ("ref", "name", "description", "role", "controllers", "status", "owner"), processing),
    "purposes": (("Formål og grunnlag", "Purposes and legal basis"), ("purposes", "legal_bases"), purposes),
    "data": (
        ("Registrerte og opplysninger", "Data subjects and personal data"),
        ("data_subjects", "data_categories", "special_categories", "art9_conditions", "criminal_data", "criminal_data_basis", "sources"),
        personal_data,
    ),
    "recipients": (("Mottakere og overføringer", "Recipients and transfers"), ("recipients", "no_recipients", "transfers"), recipients),
    "retention": (("Lagring og sikkerhet", "Retention and security"), ("retention", "security_measures", "systems"), retention),
    "dpia": (("DPIA og gjennomgang", "DPIA and review"), ("dpia", "transparency", "last_review", "next_review"), dpia_and_review),
}
EDITED = frozenset(k for _, keys, _ in SECTIONS.values() for k in keys)
# The plain fields of the field table no section names (one added since): the last section draws them by kind.
PLAIN = tuple(k for k, spec in ACTIVITY.items() if k not in EDITED and "." not in k and spec.kind in ("text", "longtext", "list", "bool", "date", "int"))
FIELDS = (*EDITED, *PLAIN)  # every field of the document the editor saves


def draw(f: Form) -> tuple[dict[str, Any], bool]:
    """The sections as tabs, only the open one drawn; the document the form now holds and whether it
    differs from what the form held when first drawn (unsaved changes)."""
    K = f.key
    labels = {code: t(*words) + (" ⚠" if f.has_errors(keys) else "") for code, (words, keys, _) in SECTIONS.items()}
    open_code = st.session_state.get(f"{E}_section", "processing")
    # The tabs' identity includes their labels and default: the default changes only with the labels (a
    # problem marked, another language), so the open section stays open and a click on a tab is never lost.
    shown = tuple(labels.values())
    was = st.session_state.get(f"{E}_tabs")
    default = was[1] if was is not None and was[0] == shown else labels.get(open_code, shown[0])
    st.session_state[f"{E}_tabs"] = (shown, default)
    tabs = dict(zip(SECTIONS, st.tabs(list(shown), key=f"{E}_tab", on_change="rerun", default=default)))
    values: dict[str, dict[str, Any]] = st.session_state.setdefault(f"{K}_values", {})
    first: dict[str, dict[str, Any]] = st.session_state.setdefault(f"{K}_first", {})
    owned: dict[str, set[str]] = st.session_state.setdefault(f"{K}_keys", {})  # each section's widget keys
    held: dict[str, dict[str, Any]] = st.session_state.setdefault(f"{K}_held", {})  # their values when it was last drawn
    for code, tab in tabs.items():
        # A closed section is drawn (hidden) only when one of its widgets changed after it was last drawn:
        # a tab clicked right after typing interrupts the run that would have taken the typed value.
        if tab.open or (code in values and _changed(held.get(code, {}))):
            if tab.open:
                st.session_state[f"{E}_section"] = code
            before = set(_widget_values(K))
            with tab:
                values[code] = SECTIONS[code][2](f)
            now = _widget_values(K)
            owned[code] = owned.get(code, set()) | (set(now) - before)
            held[code] = {k: now[k] for k in owned[code] if k in now}
            first.setdefault(code, values[code])  # what the section held when first drawn
    st.session_state[f"{K}_drawn"] = _widget_values(K)
    dirty = any(values[code] != first.get(code) for code in values)
    return document(f), dirty


def document(f: Form) -> dict[str, Any]:
    """The document the form holds: each section's fields as last drawn, or as stored if never opened."""
    doc = {key: f.data.get(key) for key in FIELDS}
    for fields in st.session_state.get(f"{f.key}_values", {}).values():
        doc.update(fields)
    return doc


# The form's own bookkeeping and its buttons, beside the values of its widgets under the same key prefix.
_NOT_VALUES: tuple[str, ...] = (
    "_values",
    "_first",
    "_drawn",
    "_keys",
    "_held",
    "_gen",
    "_base",
    "_sig",
    "_rows",
    "_transfers_added",
    "_save_top",
    "_save_bottom",
    "_add_transfer",
    "_new",
)
_NOT_VALUES += ("_discard_yes", "_discard_no", "_reload_newer")


def _widget_values(K: str) -> dict[str, Any]:
    keys = [str(k) for k in st.session_state]
    return {k: st.session_state[k] for k in keys if k.startswith(f"{K}_") and not k.endswith(_NOT_VALUES)}


def _changed(held: dict[str, Any]) -> bool:
    """True when a widget still in session state holds another value than ``held``."""
    return any(k in st.session_state and st.session_state[k] != v for k, v in held.items())


def unchanged_since_drawn(f: Form) -> bool:
    """True when no widget changed since the form was last drawn to the end, so :func:`document` is
    what the user sees (a value typed just before clicking Save arrives with the click)."""
    drawn = st.session_state.get(f"{f.key}_drawn")
    return drawn is not None and drawn == _widget_values(f.key)


# The fields whose problems a section shows beside them; any other problem is listed above the tabs.
SHOWN = (
    "ref",
    "name",
    "controllers",
    "purposes",
    "legal_bases",
    "art9_conditions",
    "data_subjects",
    "data_categories",
    "special_categories",
    "criminal_data_basis",
    "sources",
    "recipients",
    "transfers",
    "retention",
    "security_measures",
    "systems",
    "transparency",
)


def problems_summary(f: Form) -> None:
    """After a refused save: how many problems, in which sections (their tabs are marked ⚠), and any
    problem no field shows."""
    problems = f.problems
    if not problems:
        return
    where = ", ".join(f"«{t(*words)}»" if f.lang == "nb" else f"'{t(*words)}'" for words, keys, _ in SECTIONS.values() if f.has_errors(keys))
    st.error(
        t(
            f"Ikke lagret: {count_in('nb', len(problems), ('problem', 'problemer'), ('', ''))} er markert ved feltene" + (f" ({where})." if where else "."),
            f"Not saved: {count_in('en', len(problems), ('', ''), ('problem', 'problems'))} marked beside the fields" + (f" ({where})." if where else "."),
        ),
        icon=":material/error:",
    )
    for p in problems:
        if not any(editing.errors_for([p], k) for k in SHOWN):
            st.error(markdown(p))
