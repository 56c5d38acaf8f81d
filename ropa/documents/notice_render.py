"""A drafted notice as a file: Markdown (the page's preview), HTML, PDF (typst) and Word. Apart from
the drafting, so the words of a notice are built once whatever the format."""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any, Optional, Union

from sqlmodel import Session

from ropa.documents.notice import make_notice
from ropa.documents.notice_parts import Notice, Para
from ropa.documents.present import Presenter, check_folder
from ropa.errors import RopaError

FORMATS = (".html", ".md", ".docx", ".pdf")


def _labels(n: Notice) -> dict[str, str]:
    t = Presenter(n.lang).t
    return {
        "draft": t(
            f"UTKAST – ikke klar til bruk: {len(n.gaps)} opplysninger som personvernforordningen krever, mangler i protokollen.",
            f"DRAFT – not ready to use: {len(n.gaps)} items the GDPR requires are missing from the register.",
        ),
        "summary": t("Kort fortalt", "In short"),
        "gaps": t("Dette mangler", "What is missing"),
        "made": t("Laget fra behandlingsprotokollen", "Drafted from the record of processing activities"),
        "date": Presenter(n.lang).date(n.made.date()),
        "page": t("Side", "Page"),
        "of": t("av", "of"),
    }


_MD_SPECIAL = set("\\`*_[]<>|#~&$")


def escape_markdown(text: str) -> str:
    """Stored text as Markdown that shows exactly that text: inline markup, HTML and LaTeX
    escaped everywhere, Streamlit's ``:name[...]`` directives disarmed (the Notices page
    previews this Markdown), list and heading syntax at the start of a line. The document's
    own words and addresses are not passed through here, so its links stay links."""
    lines = []
    for line in re.split(r"\r\n?|\n", text):  # CommonMark ends a line at CR too
        out = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in line)
        out = re.sub(r":(?=[A-Za-z])", r"\\:", out)
        out = re.sub(r"^(\s*)([-+=])", r"\1\\\2", out)
        out = re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", out)
        lines.append(out)
    return "  \n".join(lines)


def render_markdown(n: Notice) -> str:
    L = _labels(n)
    e = escape_markdown

    def para(p: Para) -> str:
        return "".join(f"**{e(s.text.strip())}**" + (" " if s.text.endswith(" ") else "") if s.kind in ("gap", "strong") else e(s.text) for s in p)

    out = [f"# {e(n.title)}", ""]
    if n.draft:
        out += [f"> **{e(L['draft'])}**", ""]
    out += [e(n.intro), "", f"## {e(L['summary'])}", ""] + [f"- {e(s)}" for s in n.summary] + [""]
    for s in n.sections:
        out += [f"## {e(s.title)}", "", f"*{e(s.cited)}*", ""]
        for b in s.blocks:
            out += (
                [f"- {para(p)}" for p in b.paras] if b.kind == "ul" else [f"### {para(p)}" for p in b.paras] if b.kind == "head" else [para(p) for p in b.paras]
            )
            out.append("")
    if n.gaps:
        out += [f"## {e(L['gaps'])}", ""] + [f"- {e(g.cited)}{e(' (' + g.activity + ')') if g.activity else ''}: {e(g.what)}" for g in n.gaps] + [""]
    out += [f"*{e(L['made'])}, {e(L['date'])}.*", ""]
    return "\n".join(out)


def _jinja() -> Any:
    import jinja2

    from ropa.documents.typeset import TEMPLATES

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )


def render_html(n: Notice) -> str:
    return str(_jinja().get_template("notice.html.j2").render(n=n, L=_labels(n)))


def render_pdf(n: Notice) -> bytes:
    from ropa.documents import typeset

    return typeset.render_pdf("notice.typ.j2", {"n": n, "L": _labels(n)}, when=n.made)


def render_docx(n: Notice, out: Union[str, Path, IO[bytes]]) -> None:
    from docx.enum.text import WD_COLOR_INDEX

    from ropa.documents import word

    L = _labels(n)
    doc = word.new_document(
        title=n.title,
        author=n.organisation,
        lang=n.lang,
        subject=n.title,
        header=n.title,
        page_word=Presenter(n.lang).t("Side", "Page"),
        of_word=Presenter(n.lang).t("av", "of"),
    )

    def fill(paragraph: Any, p: Para) -> None:
        for s in p:
            run = paragraph.add_run(word._clean(s.text))
            if s.kind in ("gap", "strong"):
                run.bold = True
            if s.kind == "gap":
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    doc.add_heading(word._clean(n.title), 0)
    if n.draft:
        r = doc.add_paragraph().add_run(L["draft"])
        r.bold = True
        r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    doc.add_paragraph(n.intro)
    doc.add_heading(L["summary"], 1)
    for s in n.summary:
        doc.add_paragraph(word._clean(s), style="List Bullet")
    for sec in n.sections:
        doc.add_heading(word._clean(sec.title), 1)
        doc.add_paragraph().add_run(sec.cited).italic = True
        for b in sec.blocks:
            for p in b.paras:
                paragraph = doc.add_paragraph(style="List Bullet" if b.kind == "ul" else None)
                fill(paragraph, p)
                if b.kind == "head":  # an activity's name stays with its items
                    paragraph.paragraph_format.keep_with_next = True
                    for run in paragraph.runs:
                        run.bold = True
    if n.gaps:
        doc.add_heading(L["gaps"], 1)
        for g in n.gaps:
            doc.add_paragraph(word._clean(f"{g.cited}{' (' + g.activity + ')' if g.activity else ''}: {g.what}"), style="List Bullet")
    doc.add_paragraph().add_run(f"{L['made']}, {L['date']}.").italic = True
    doc.save(out)


def render(n: Notice, suffix: str) -> bytes:
    """The notice as the bytes of a file of this kind (.html, .md, .docx, .pdf)."""
    import io

    if suffix == ".html":
        return render_html(n).encode("utf-8")
    if suffix == ".md":
        return render_markdown(n).encode("utf-8")
    if suffix == ".pdf":
        return render_pdf(n)
    if suffix == ".docx":
        buf = io.BytesIO()
        render_docx(n, buf)
        return buf.getvalue()
    raise RopaError(f"cannot write a notice as '{suffix or 'no extension'}' (use {', '.join(FORMATS)})")


def write_notice(session: Session, path: Union[str, Path], org: str, *, lang: str = "nb", subjects: Optional[str] = None) -> Notice:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise RopaError(f"{path}: cannot write a notice as '{suffix or 'no extension'}' (use {', '.join(FORMATS)})")
    check_folder(path)
    n = make_notice(session, org, lang=lang, subjects=subjects)
    data = render(n, suffix)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return n
