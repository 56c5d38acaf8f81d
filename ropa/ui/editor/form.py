"""The editor's widgets and the form's state: a field's label (required ones marked *), help and
problems; table editors for lists and legal bases; pickers for taxonomies and codes.

Widget keys start with the form's key (organisation, ref and version), so every record and version
gets a fresh form. Only the open section is drawn: its widgets keep their values while the section
is closed (``persist_state``), and a table keeps its edited rows in session state for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import pandas as pd
import streamlit as st

from ropa import editing, vocab
from ropa.errors import Problem
from ropa.fields import ACTIVITY
from ropa.text import markdown
from ropa.text import table as safe_table
from ropa.ui import state

E = "editor"  # session-state prefix of the page
KEEP: Literal["page"] = "page"  # a widget's value outlives its section being closed, for as long as the user stays on the page
t = state.t


def drop_state() -> None:
    """Forget the form of this record (its tables' rows, its sections' values, the conflict) so it is
    drawn from the register again; the organisation chosen for a new activity and the open section stay."""
    for k in [k for k in st.session_state if str(k).startswith(f"{E}_")]:
        if k not in (f"{E}_new_org", f"{E}_section", f"{E}_tabs", f"{E}_tab"):
            st.session_state.pop(k, None)


def day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else value


@dataclass
class Form:
    """One record's form: ``key`` prefixes its widgets, ``data`` is the record as opened, ``known``
    the organisation's recipients by name, ``problems`` those of the last save."""

    key: str
    data: dict[str, Any]
    known: dict[str, dict[str, Any]]
    problems: list[Problem]
    lang: str

    def label(self, key: str, table: Any = ACTIVITY) -> str:
        spec = table[key]
        return spec.label(self.lang) + (f" ({vocab.article_in(spec.article, self.lang)})" if spec.article else "") + (" *" if spec.required else "")

    def helptext(self, key: str, table: Any = ACTIVITY) -> str | None:
        return table[key].help(self.lang) or None

    def field_name(self, key: str) -> str:
        spec = ACTIVITY.get(key) or ACTIVITY.get(f"{key}.text") or ACTIVITY.get(f"{key}.status")
        return spec.label(self.lang) if spec else key

    def errors(self, key: str) -> None:
        for message in editing.errors_for(self.problems, key):
            st.error(f"{self.label(key) if key in ACTIVITY else markdown(key)}: {markdown(message)}", icon=":material/error:")

    def has_errors(self, keys: tuple[str, ...]) -> bool:
        return any(editing.errors_for(self.problems, k) for k in keys)

    # --- Tables -------------------------------------------------------------------------------------

    def grid(
        self, name: str, rows: list[dict[str, Any]], columns: list[str], config: dict[str, Any], signature: str = "", dates: tuple[str, ...] = ()
    ) -> pd.DataFrame:
        """A list as an editable table. When its choices change (``signature``), or when its section is
        opened again, the table is drawn afresh with the user's pending edits carried over, so nothing
        typed is lost."""
        K = self.key
        gen_key, base_key, sig_key, rows_key = f"{K}_{name}_gen", f"{K}_{name}_base", f"{K}_{name}_sig", f"{K}_{name}_rows"
        gen = int(st.session_state.get(gen_key, 0))
        base = st.session_state.get(base_key, rows)
        kept = st.session_state.get(rows_key)
        if kept is not None and kept[0] == gen and f"{K}_{name}_{gen}" not in st.session_state:
            base, gen = kept[1], gen + 1  # its section was closed: the rows as last edited
        elif st.session_state.get(sig_key, signature) != signature:
            base = editing.apply_edits(base, st.session_state.get(f"{K}_{name}_{gen}"), columns)
            gen += 1
        st.session_state[gen_key], st.session_state[base_key], st.session_state[sig_key] = gen, base, signature
        frame = pd.DataFrame(base, columns=columns, dtype="object")
        for col in dates:
            frame[col] = pd.to_datetime(frame[col], errors="coerce")
        # Text that a spreadsheet would run as a formula is shown with an apostrophe (ropa.text.table) and read back without it.
        edited = st.data_editor(
            safe_table(frame), num_rows="dynamic", hide_index=True, width="stretch", key=f"{K}_{name}_{gen}", column_config=config, placeholder=""
        )
        st.caption(
            t(
                "Ny rad: klikk på den tomme raden nederst (eller + over tabellen). Endre en celle: dobbeltklikk eller skriv.",
                "New row: click the empty row at the bottom (or + above the table). Change a cell: double-click or type.",
            )
        )
        out = safe_table(edited, undo=True)
        st.session_state[rows_key] = (gen, out.to_dict("records"))
        return out

    def redraw(self, name: str, rows: list[dict[str, Any]]) -> None:
        """Replace a table's rows (e.g. one added by a button) and draw it afresh on the next run."""
        K = self.key
        st.session_state[f"{K}_{name}_base"] = rows
        st.session_state[f"{K}_{name}_gen"] = int(st.session_state.get(f"{K}_{name}_gen", 0)) + 1

    def list_field(self, key: str) -> list[str]:
        st.markdown(f"**{markdown(self.label(key))}**", help=self.helptext(key))  # "*" (required) literal, not emphasis
        rows = self.grid(
            key,
            editing.list_rows(self.data.get(key) or []),
            ["value"],
            {"value": st.column_config.TextColumn(ACTIVITY[key].label(self.lang), width="large")},
        )
        self.errors(key)
        return editing.list_from_rows(rows.to_dict("records"))

    def basis_field(self, key: str, terms: dict[str, vocab.Term]) -> list[dict[str, Any]]:
        st.markdown(f"**{markdown(self.label(key))}**", help=self.helptext(key))  # "*" (required) literal, not emphasis
        rows = self.grid(
            key,
            editing.basis_rows(self.data.get(key) or [], terms, self.lang),
            ["basis", "note", "documentation"],
            {
                "basis": st.column_config.SelectboxColumn(t("Grunnlag", "Basis"), options=list(editing.code_options(terms, self.lang)), width="large"),
                "note": st.column_config.TextColumn(t("Begrunnelse", "Justification"), width="medium"),
                "documentation": st.column_config.TextColumn(
                    t("Dokumentasjon (interesseavveining, samtykke, lovhjemmel)", "Documentation (LIA, consent record, law)")
                ),
            },
        )
        self.errors(key)
        return editing.bases_from_rows(rows.to_dict("records"), terms, self.lang)

    # --- Pickers ------------------------------------------------------------------------------------

    def taxonomy_field(self, key: str, kind: str, keys: list[str]) -> list[str]:
        current = list(self.data.get(key) or [])
        lang = self.lang
        value = st.multiselect(
            self.label(key),
            list(dict.fromkeys([*current, *keys])),
            default=current,
            key=f"{self.key}_{key}",
            help=self.helptext(key),
            accept_new_options=True,
            placeholder=t("Velg fra listen eller skriv inn egne …", "Choose from the list or type your own …"),
            format_func=lambda k: vocab.taxonomy_label(kind, k, lang),
            persist_state=KEEP,
        )
        self.errors(key)
        return list(value)

    def pick(self, key: str, terms: dict[str, vocab.Term], value: Any, *, table: Any = ACTIVITY, optional: bool = False, where: Any = st) -> Any:
        options = ([None] if optional else []) + list(terms)
        lang = self.lang
        return where.selectbox(
            self.label(key, table),
            options,
            index=options.index(value) if value in options else 0,
            key=f"{self.key}_{key}",
            help=self.helptext(key, table),
            placeholder="—",
            format_func=lambda c: "—" if c is None else terms[c].display(lang),
            persist_state=KEEP,
        )
