"""Notices: draft an Art. 13/14 privacy notice from the register, for one organisation and
optionally one group of people, and download it. Drawing only: :mod:`ropa.documents.notice` drafts, :mod:`ropa.documents.notice_render` writes the files."""

from __future__ import annotations

import streamlit as st

from ropa import db
from ropa.documents import notice as notices
from ropa.documents import notice_render
from ropa.documents.present import load
from ropa.documents.publish import slug
from ropa.errors import RopaError, explain
from ropa.register.organisations import list_organisations
from ropa.text import markdown
from ropa.text import table as safe_table
from ropa.ui import state

ui = state.lang()
TEXT = {
    "title": ("Personvernerklæring", "Privacy notice"),
    "intro": (
        "Et utkast til informasjon etter personvernforordningen artikkel 13 og 14, laget fra protokollen. "
        "Det som mangler i protokollen, er merket i teksten og listet nederst.",
        "A draft of the information GDPR Articles 13 and 14 require, made from the register. What the register "
        "lacks is marked in the text and listed at the end.",
    ),
    "org": ("Virksomhet", "Organisation"),
    "choose": ("Velg …", "Choose …"),
    "subjects": ("Gjelder", "Concerning"),
    "everyone": ("Alle registrerte", "Everyone"),
    "lang": ("Språk i erklæringen", "Language of the notice"),
    "none": (
        "Registeret har ingen virksomheter ennå. Opprett en på siden «Virksomheter», eller les inn en protokoll på "
        "importsiden: erklæringen lages fra virksomhetens behandlingsaktiviteter.",
        "The register has no organisations yet. Create one on the Organisations page, or import a register on the "
        "Import page: the notice is made from the organisation's activities.",
    ),
    "draft": (
        "Utkast: {n} opplysninger som artikkel 13/14 krever, mangler i protokollen.",
        "Draft: {n} items Articles 13/14 require are missing from the register.",
    ),
    "ready": ("Ingen mangler: alt artikkel 13/14 krever, står i protokollen.", "Nothing missing: the register holds everything Articles 13/14 require."),
    "gaps": ("Mangler", "What is missing"),
    "paragraph": ("Artikkel", "Article"),
    "activity": ("Behandling", "Activity"),
    "what": ("Hva", "What"),
    "preview": ("Forhåndsvisning", "Preview"),
    "download": ("Last ned", "Download"),
    "pdf": ("Lag PDF", "Make PDF"),
}
t = state.words(TEXT)

st.title(t("title"))
st.caption(t("intro"))

with db.session(state.engine()) as s:
    names = [o.name for o in list_organisations(s)]
if not names:
    st.info(t("none"))
    st.stop()

left, mid, right = st.columns([2, 2, 1])
org = left.selectbox(t("org"), names, key="notice_org", placeholder=t("choose"))
with db.session(state.engine()) as s:
    organisations = load(s, [org])
groups = notices.subject_groups(organisations, ui)
subjects = mid.selectbox(t("subjects"), [""] + groups, key="notice_subjects", format_func=lambda g: g or t("everyone"), placeholder=t("everyone"))
lang = right.radio(t("lang"), ["nb", "en"], index=0 if ui == "nb" else 1, key="notice_lang", format_func=lambda code: state.LANGUAGES[code])

try:
    draft = notices.build_notice(organisations[0], lang=lang, subjects=subjects or None)
except RopaError as err:
    st.warning(markdown(explain(err, ui)))
    st.stop()

if draft.gaps:
    st.warning(t("draft", n=len(draft.gaps)), icon=":material/edit_note:")
    with st.expander(t("gaps"), expanded=False):
        st.dataframe(
            safe_table([{t("paragraph"): g.cited, t("activity"): g.activity or "", t("what"): g.what} for g in draft.gaps]), hide_index=True, width="stretch"
        )
else:
    st.success(t("ready"))

stem = f"{'personvernerklaering' if lang == 'nb' else 'privacy-notice'}-{slug(org)[:40]}"  # no \\ : * ? " < > | in a file name
cols = st.columns(3)
cols[0].download_button(
    f"{t('download')} HTML", notice_render.render(draft, ".html"), file_name=f"{stem}.html", mime="text/html", icon=":material/html:", type="primary"
)
cols[1].download_button(
    f"{t('download')} Word",
    notice_render.render(draft, ".docx"),
    file_name=f"{stem}.docx",
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    icon=":material/description:",
)
cols[2].download_button(
    f"{t('download')} Markdown", notice_render.render(draft, ".md"), file_name=f"{stem}.md", mime="text/markdown", icon=":material/markdown:"
)
if st.button(t("pdf"), icon=":material/picture_as_pdf:"):
    st.session_state["notice_pdf"] = (org, subjects, lang, notice_render.render(draft, ".pdf"))
made = st.session_state.get("notice_pdf")
if made and made[:3] == (org, subjects, lang):
    st.download_button(f"{t('download')} PDF", made[3], file_name=f"{stem}.pdf", mime="application/pdf", icon=":material/download:")

st.subheader(t("preview"))
with st.container(border=True):
    st.markdown(notice_render.render_markdown(draft))
