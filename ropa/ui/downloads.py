"""The register's two download buttons (the DPO's workbook and the JSON file), side by side, named
the same way on the Export page (the register now) and the Versions page (as it was)."""

from __future__ import annotations

import streamlit as st

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def register_files(xlsx: bytes, json: bytes, *, lang: str, tag: str, labels: tuple[str, str]) -> None:
    """``tag`` ends the file names (a date, or a snapshot's label); ``labels`` are the buttons' words."""
    stem = "behandlingsprotokoll" if lang == "nb" else "record-of-processing"
    left, right = st.columns(2)
    left.download_button(labels[0], xlsx, file_name=f"{stem}-{tag}.xlsx", icon=":material/table:", mime=XLSX, type="primary")
    right.download_button(labels[1], json, file_name=f"ropa-register-{tag}.json", mime="application/json", icon=":material/data_object:")
