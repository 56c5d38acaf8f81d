"""Documents from the register: the Art. 30 record (PDF, DOCX), privacy notices (HTML, Markdown,
DOCX, PDF) and the public register (HTML), each built from the demo register in both languages
and read back: text extracted from the PDF, paragraphs from the DOCX, the HTML parsed."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pytest
import typst
from pypdf import PdfReader

from ropa import cli, db, vocab
from ropa.cli.output import EXIT_OK, EXIT_USAGE
from ropa.demo import load_demo
from ropa.documents import notice, notice_parts, notice_render, publish, report, typeset
from ropa.documents.present import Presenter, load
from ropa.errors import NotFound, ValidationFailed
from ropa.public_fields import DEFAULT_PUBLIC, PUBLISHABLE
from ropa.register.activities import activity_dict, create_activity, get_activity
from ropa.register.lookup import get_organisation
from ropa.register.organisations import create_organisation, organisation_dict, update_organisation

HOSTILE = 'Navn #let x = 1 $x^2$ *fet* _kursiv_ @ref <label> \\ ] [ `kode` // kommentar /* blokk */ ~ -- = - + 1. "q" #exit() {a}'
JL = "Janteloppet"
GZ = "Ukjent selskap, Panyu District, Guangzhou"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(data: bytes) -> str:
    return squash(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))


def bare(text: str) -> str:
    """Text without any whitespace: a PDF breaks lines anywhere (e.g. after a slash)."""
    return re.sub(r"\s+", "", text)


def docx_text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return squash(" ".join(parts))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict[str, Any]]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Any]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_parse(html: str) -> _Text:
    p = _Text()
    p.feed(html)
    return p


def html_text(html: str) -> str:
    return squash(" ".join(html_parse(html).parts))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: Any) -> Any:
    """The demo register in a SQLite file, built once for this module's read-only tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'demo.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    with db.transaction(engine) as s:
        load_demo(s, actor="test")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def organisations(demo: Any) -> list[dict[str, Any]]:
    with db.session(demo) as s:
        return load(s)


def expected_items(act: dict[str, Any], org: dict[str, Any], p: Presenter) -> list[str]:
    """What a card must show for an activity: every Art. 30(1) (or 30(2)) item the register holds."""
    items = [act["ref"], act["name"], org["name"], *act["purposes"]]
    if act["role"] != "processor":
        items += [p.subject(s) for s in act["data_subjects"]] + [p.category(c) for c in act["data_categories"]]
        items += [p.category(c) for c in act["special_categories"]]
        items += [vocab.LEGAL_BASES[b["code"]].display(p.lang) for b in act["legal_bases"]]
        items += [r["name"] for r in act["recipients"]]
        items += [p.retention(act["retention"])] if act["retention"]["period"] is not None else []
    else:
        items += act["controllers"]
    items += [p.country(t["country"]) for t in act["transfers"] if t["country"]]
    items += [p.mechanism(t["mechanism"]) for t in act["transfers"]]
    items += [act["retention"]["text"]] if act["retention"]["text"] else []
    items += act["security_measures"]
    return [squash(i) for i in items if i]


def art30_headings(p: Presenter, role: str) -> list[str]:
    if role == "processor":
        return [p.t("Databehandler og behandlingsansvarlige", "Processor and controllers"), p.t("Kategorier av behandling", "Categories of processing")]
    return ["(a)", "(b)", "(c)", "(d)", "(e)", "(f)", "(g)"]


# --- escaping -------------------------------------------------------------------------------


def test_escape_prints_hostile_text_exactly(tmp_path: Path):
    lines = [
        HOSTILE,
        "= ikke overskrift",
        "- ikke liste",
        "+ ikke nummerert",
        "/ ikke: term",
        "1. ikke nummer",
        "http://example.org/#x",
        "a\\",
        "<script>alert(1)</script>",
        "Tab\there",
    ]
    source = "\n\n".join(typeset.escape(x) for x in lines)
    (tmp_path / "t.typ").write_text(f"#set document(title: {typeset.string_literal(HOSTILE)})\n" + source, encoding="utf-8")
    data = typst.compile(str(tmp_path / "t.typ"))
    reader = PdfReader(io.BytesIO(data))
    text = reader.pages[0].extract_text()
    for line in lines:
        assert squash(line) in squash(text), line
    assert reader.metadata.title == HOSTILE


def test_escape_markdown_keeps_markup_out():
    out = notice_render.escape_markdown("- *a* _b_ [x](y) <script> # h\n1. x | `c` & \\")
    assert out.startswith("\\- \\*a\\* \\_b\\_ \\[x\\](y) \\<script\\> \\# h")
    assert "\n1\\. x \\| \\`c\\` \\& \\\\" in out


@pytest.fixture
def hostile_engine(engine: Any) -> Any:
    """A register whose organisation and activity are named with markup of every kind."""
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Org <b>#x</b>", "email": "a@b.no", "country": "NO"}, actor="test")
        create_activity(
            s,
            "Org <b>#x</b>",
            {
                "ref": "H-1",
                "name": HOSTILE,
                "purposes": [HOSTILE, "<script>alert(1)</script>"],
                "data_subjects": ["customer"],
                "data_categories": ["user.name"],
                "legal_bases": [{"code": "art6_1_f", "note": "*interesse* `x`"}],
                "recipients": [{"name": "Mottaker ]#[", "kind": "processor", "agreement": "DPA $1"}],
                "retention": {"period": 2, "unit": "years", "text": "to år // etter"},
                "transfers": [{"country": "US", "recipient": "Mottaker ]#[", "mechanism": "art46_2_c", "safeguard": "SCC _2021_"}],
            },
            actor="test",
        )
    return engine


def test_hostile_text_prints_as_typed_in_every_document(hostile_engine: Any, tmp_path: Path):
    with db.session(hostile_engine) as s:
        made = report.make_report(s, lang="en")
        n = notice.make_notice(s, "Org <b>#x</b>", lang="en")
        site = publish.publish_register(s, tmp_path / "site")
    text = pdf_text(report.render_pdf(made))
    assert squash(HOSTILE) in text and "Mottaker ]#[" in text and "to år // etter" in text and "DPA $1" in text
    assert squash(HOSTILE) in docx_text(_docx(made))
    assert squash(HOSTILE) in pdf_text(notice_render.render(n, ".pdf"))
    html = notice_render.render(n, ".html").decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert squash(HOSTILE) in html_text(html)
    page = (site.directory / "en" / "org-b-x-b" / "h-1.html").read_text(encoding="utf-8")
    assert not any(tag == "script" for tag, _ in html_parse(page).tags)
    assert squash(HOSTILE) in html_text(page)
    index = (site.directory / "en" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in index  # the embedded search index cannot close its script element
    assert [tag for tag, _ in html_parse(index).tags].count("script") == 2


def _docx(made: report.Report) -> bytes:
    buf = io.BytesIO()
    report.render_docx(made, buf)
    return buf.getvalue()


# --- the Art. 30 record -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_record_shows_every_art30_item_of_every_activity(demo: Any, organisations: Any, lang: str):
    with db.session(demo) as s:
        made = report.make_report(s, lang=lang, with_findings=True)
    p = Presenter(lang)
    pdf = report.render_pdf(made)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == p.t("Protokoll over behandlingsaktiviteter", "Record of processing activities")
    assert all(o["name"] in reader.metadata.author for o in organisations)
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert all(abs(float(pg.mediabox.width) - 595.28) < 1 and abs(float(pg.mediabox.height) - 841.89) < 1 for pg in reader.pages)
    documents = {"pdf": pdf_text(pdf), "docx": docx_text(_docx(made))}
    for kind, text in documents.items():
        flat = bare(text)
        assert p.t("Innhold", "Contents") in text
        assert p.t("Vedlegg: mottakere og avtaler", "Annex: recipients and their agreements") in text
        assert p.t("Åpne funn", "Open findings") in text
        for org in organisations:
            for act in org["activities"]:
                for item in expected_items(act, org, p):
                    assert bare(item) in flat, (kind, act["ref"], item)
                for heading in art30_headings(p, act["role"]):
                    assert heading in text, (kind, heading)
            for r in org["all_recipients"]:
                if r["agreement"]:
                    assert bare(r["agreement"]) in flat, (kind, r["name"])
    pages = len(reader.pages)
    assert f"{p.t('Side', 'Page')} {pages} {p.t('av', 'of')} {pages}" in documents["pdf"]


def test_docx_has_properties_page_numbers_and_a4(demo: Any):
    with db.session(demo) as s:
        made = report.make_report(s, orgs=[JL], lang="nb")
    d = docx.Document(io.BytesIO(_docx(made)))
    assert d.core_properties.title == "Protokoll over behandlingsaktiviteter"
    assert d.core_properties.author == JL and d.core_properties.language == "nb-NO"
    section = d.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    assert "TOC" in d.element.body.xml


def test_record_reads_the_same_on_both_backends(demo_engine: Any, organisations: Any, tmp_path: Path):
    with db.session(demo_engine) as s:
        ours = load(s)
        written = report.write_report(s, tmp_path / "r.pdf", orgs=[GZ], lang="en")
    assert [(o["name"], o["activities"]) for o in ours] == [(o["name"], o["activities"]) for o in organisations]
    gz = next(o for o in ours if o["name"] == GZ)
    assert sorted(c.ref for c in written.organisations[0]["cards"]) == sorted(a["ref"] for a in gz["activities"])
    assert "GZP-05" in pdf_text((tmp_path / "r.pdf").read_bytes())
    assert not (tmp_path / "r.pdf.part").exists()


def test_processor_activity_gets_the_art30_2_card(engine: Any):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Behandler AS", "email": "post@behandler.no"}, actor="test")
        create_activity(
            s,
            "Behandler AS",
            {
                "ref": "P-1",
                "name": "Lønn for kunder",
                "role": "processor",
                "controllers": ["Kunde AS"],
                "purposes": ["Lønnskjøring"],
                "data_subjects": ["employee"],
                "data_categories": ["user.name"],
                "security_measures": ["Kryptering"],
            },
            actor="test",
        )
        card = report.make_report(s, lang="nb").organisations[0]["cards"][0]
    titles = [(sec.letter, sec.title) for sec in card.sections]
    assert titles[:4] == [("a", "Databehandler og behandlingsansvarlige"), ("b", "Kategorier av behandling"), ("c", "Overføringer"), ("d", "Sikkerhetstiltak")]
    rows = {r.label: r.values for sec in card.sections for r in sec.rows}
    assert rows["Behandlingsansvarlige det behandles for"] == ["Kunde AS"]
    articles = {r.article for sec in card.sections for r in sec.rows}  # cited as Norwegian law does, in bokmål
    assert {"art. 30 nr. 2 bokstav a", "art. 30 nr. 2 bokstav b", "art. 30 nr. 2 bokstav c", "art. 30 nr. 2 bokstav d"} <= articles
    assert not any(a and a.startswith("art. 30 nr. 1") for a in articles)  # a processor's record is Art. 30(2)


# --- privacy notices --------------------------------------------------------------------------


def _all_formats(n: notice_parts.Notice) -> dict[str, str]:
    return {
        ".md": squash(notice_render.render(n, ".md").decode().replace("\\", "")),
        ".html": html_text(notice_render.render(n, ".html").decode()),
        ".docx": docx_text(notice_render.render(n, ".docx")),
        ".pdf": pdf_text(notice_render.render(n, ".pdf")),
    }


def test_janteloppet_notice_names_purposes_bases_retention_and_complaint(organisations: Any):
    jl = next(o for o in organisations if o["name"] == JL)
    n = notice.build_notice(jl, lang="nb")
    for kind, text in _all_formats(n).items():
        for act in jl["activities"]:
            for purpose in act["purposes"]:
                assert squash(purpose) in text, (kind, purpose)
            for b in act["legal_bases"]:
                assert {"art6_1_a": "samtykke", "art6_1_b": "avtale", "art6_1_c": "lov", "art6_1_f": "berettiget interesse"}[b["code"]] in text
                assert f"bokstav {b['code'][-1]}" in text, (kind, b)
        assert "6 år" in text, kind
        assert "klage til Datatilsynet" in text and "www.datatilsynet.no" in text, kind
        assert "trekke det tilbake" in text, kind  # JL-07 rests on consent: withdrawing it must be explained


def test_guangzhou_notice_names_the_transfers_and_marks_the_missing_safeguard(organisations: Any):
    gz = next(o for o in organisations if o["name"] == GZ)
    for lang, china, gap_word, draft, cited in (
        ("nb", "Kina", "MANGLER", "UTKAST", "art. 13 nr. 1 bokstav f, 14 nr. 1 bokstav f"),
        ("en", "China", "MISSING", "DRAFT", "Art. 13(1)(f), 14(1)(f)"),
    ):
        n = notice.build_notice(gz, lang=lang)
        assert n.draft
        transfer_gaps = [g for g in n.gaps if g.article == "Art. 13(1)(f), 14(1)(f)"]  # collection not recorded: both apply
        assert {g.activity for g in transfer_gaps} >= {"GZP-01"}
        assert any(china in g.what for g in transfer_gaps) and any("Singapore" in g.what for g in transfer_gaps)
        assert {g.cited for g in transfer_gaps} == {cited}  # the gap cites the article as the notice's language writes it
        for kind, text in _all_formats(n).items():
            assert china in text and "Singapore" in text, kind
            assert f"[{gap_word}: " in text and cited in squash(text), kind
            assert ("Art. 13(" in text) == (lang == "en"), kind  # no EU-style citation left in a bokmål notice
            assert draft in text, kind
        html = notice_render.render(n, ".html").decode()
        assert html.count('<mark class="gap">') == len(n.gaps)


def test_a_complete_activity_gives_a_notice_without_gaps(engine: Any):
    with db.transaction(engine) as s:
        create_organisation(
            s,
            {"name": "Ferdig AS", "email": "post@ferdig.no", "address": "Gate 1, Oslo", "country": "NO", "dpo": {"name": "Ola", "email": "pvo@ferdig.no"}},
            actor="test",
        )
        create_activity(
            s,
            "Ferdig AS",
            {
                "ref": "F-1",
                "name": "Medlemmer",
                "purposes": ["Medlemskap"],
                "data_subjects": ["customer"],
                "data_categories": ["user.name"],
                "legal_bases": [{"code": "art6_1_b"}],
                "sources": ["Skjema"],
                "no_recipients": True,
                "retention": {"period": 1, "unit": "years", "trigger": "utmelding", "action": "erase"},
                "transfers": [{"country": "US", "mechanism": "art46_2_c", "safeguard": "SCC 2021"}],
                "transparency": {
                    "collection": "subject",
                    "provision": "contractual",
                    "provision_consequences": "Vi kan ikke ta deg inn.",
                    "automated_decisions": False,
                },
            },
            actor="test",
        )
    with db.session(engine) as s:
        n = notice.make_notice(s, "Ferdig AS", lang="nb")
    assert n.gaps == [] and not n.draft
    text = html_text(notice_render.render(n, ".html").decode())
    assert "UTKAST" not in text and "MANGLER" not in text
    assert "Vi kan ikke ta deg inn." in text and "1 år regnet fra utmelding" in text
    assert "kopi av dem ved å kontakte oss på post@ferdig.no" in text
    assert "Vi tar ingen avgjørelser om deg som bare bygger på automatisk behandling" in text
    assert "Vi deler ikke opplysningene med andre." in text  # the register says so (no_recipients), not just an empty list


def test_notice_for_one_group_of_people(organisations: Any):
    jl = next(o for o in organisations if o["name"] == JL)
    customers = notice.build_notice(jl, lang="nb", subjects="Kunder")
    expected = [a["ref"] for a in jl["activities"] if "customer" in a["data_subjects"]]
    assert customers.activities == expected and "JL-04" not in customers.activities
    assert notice.build_notice(jl, lang="en", subjects="prospects").activities == ["JL-04"]
    with pytest.raises(NotFound):
        notice.build_notice(jl, subjects="Pasienter")


# --- the public register ----------------------------------------------------------------------


def _site(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): p.read_text(encoding="utf-8") for p in directory.rglob("*.html")}


def test_public_site_shows_only_the_fields_marked_public(demo_engine: Any, tmp_path: Path):
    chosen = ["purposes", "legal_bases"]
    with db.transaction(demo_engine) as s:
        org = get_organisation(s, JL)
        update_organisation(s, JL, {**organisation_dict(org), "public_fields": chosen}, expected_version=org.version, actor="test")
    with db.session(demo_engine) as s:
        summary = publish.publish_register(s, tmp_path / "site")
        organisations = load(s)
    assert summary.activities == sum(1 for o in organisations for a in o["activities"] if a["status"] == "active")
    site = _site(tmp_path / "site")
    for lang in ("nb", "en"):
        for org in organisations:
            allowed = set(chosen) if org["name"] == JL else set(DEFAULT_PUBLIC)
            for act in org["activities"]:
                page = site[f"{lang}/{publish.slug(org['name'])}/{publish.slug(act['ref'])}.html"]
                parsed = html_parse(page)
                shown = {attrs["data-field"] for _, attrs in parsed.tags if "data-field" in attrs}
                assert shown == allowed, (org["name"], act["ref"])
                assert parsed.tags[0][0] == "html" and parsed.tags[0][1]["lang"] == lang
                for purpose in act["purposes"]:
                    assert squash(purpose) in html_text(page)
    everything = " ".join(html_text(h) for h in site.values()) + " " + " ".join(json.dumps(h) for h in site.values())
    jl = next(o for o in organisations if o["name"] == JL)
    secrets: list[str] = []
    secrets += [a["retention"]["text"] for a in jl["activities"] if a["retention"]["text"]]
    for org in organisations:  # never public, whatever the choice
        for act in org["activities"]:
            secrets += act["systems"] + [t["safeguard"] for t in act["transfers"] if t["safeguard"]]
            secrets += [t["note"] for t in act["transfers"] if t["note"]]
            secrets += [b["note"] for b in act["legal_bases"] if b["note"]] + [b["documentation"] for b in act["legal_bases"] if b["documentation"]]
            secrets += [act["description"]] if act["description"] else []
            secrets += [act["dpia"]["ref"]] if act["dpia"]["ref"] else []
        secrets += [r["agreement"] for r in org["all_recipients"] if r["agreement"]]
    # Text that is also a public value elsewhere (a system named like a recipient, say) proves nothing.
    public = []
    for lang in ("nb", "en"):
        for org in organisations:
            allowed = chosen if org["name"] == JL else DEFAULT_PUBLIC
            public += [org["name"], *(v for v in (org.get("address"), org.get("email"), org.get("phone"), org.get("website")) if v)]
            for act in org["activities"]:
                public += [act["ref"], act["name"]] + [v for k in allowed for v in publish._public_values(k, act, Presenter(lang))]
    public_text = squash(" ".join(public))
    secrets = [x for x in secrets if squash(x) not in public_text]
    assert len(secrets) > 10, "the demo register should hold internal text to test against"
    for secret in secrets:
        assert squash(secret) not in everything, secret


def test_public_fields_are_checked_and_kept(engine: Any):
    with db.transaction(engine) as s:
        with pytest.raises(ValidationFailed) as err:
            create_organisation(s, {"name": "X", "public_fields": ["purposes", "systems"]}, actor="test")
    assert "public_fields" in str(err.value) and "systems" in str(err.value)
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Y", "public_fields": ["purposes"]}, actor="test")
    with db.session(engine) as s:
        assert organisation_dict(get_organisation(s, "Y"))["public_fields"] == ["purposes"]
    assert set(DEFAULT_PUBLIC) <= set(PUBLISHABLE) and "systems" not in PUBLISHABLE


def test_publish_refuses_a_directory_that_is_not_a_site(demo: Any, tmp_path: Path):
    (tmp_path / "mine.txt").write_text("keep me")
    with db.session(demo) as s, pytest.raises(Exception) as err:
        publish.publish_register(s, tmp_path, orgs=[JL])
    assert "not empty" in str(err.value)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


# --- the command line ---------------------------------------------------------------------------


def test_cli_report_notice_publish(sqlite_demo_url: str, tmp_path: Path, capsys: Any):
    base = ["--database-url", sqlite_demo_url]
    assert cli.main([*base, "report", str(tmp_path / "r.docx"), "--org", JL, "--lang", "en"]) == EXIT_OK
    assert "JL-08" in docx_text((tmp_path / "r.docx").read_bytes())
    assert cli.main([*base, "notice", str(tmp_path / "n.md"), "--org", GZ, "--lang", "en"]) == EXIT_OK
    err = capsys.readouterr().err
    assert "draft:" in err and "Art. 13(1)(f), 14(1)(f) GZP-01" in err
    assert cli.main([*base, "publish", str(tmp_path / "site"), "--org", JL]) == EXIT_OK
    assert (tmp_path / "site" / "nb" / "janteloppet" / "jl-01.html").exists()
    assert cli.main([*base, "report", str(tmp_path / "r.txt")]) == EXIT_USAGE
    assert cli.main([*base, "notice", str(tmp_path / "n.html"), "--org", "Finnes ikke"]) == EXIT_USAGE
    assert "Finnes ikke" in capsys.readouterr().err


# --- the new fields through the JSON format and the workbook -------------------------------------


def test_notice_fields_round_trip_through_json_and_the_workbook(engine: Any, tmp_path: Path):
    import openpyxl

    from ropa import imports
    from ropa.excel.export import write_workbook
    from ropa.fields import ACTIVITY
    from ropa.register import interchange

    transparency = {
        "collection": "both",
        "sources_public": True,
        "provision": "contractual",
        "provision_consequences": "Uten e-post kan vi ikke sende billetten.",
        "automated_decisions": True,
        "automated_logic": "Poeng fra kjøpshistorikk avgjør tilbudet.",
    }
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Runde AS", "public_fields": ["purposes", "transfers"]}, actor="t")
        create_activity(
            s,
            "Runde AS",
            {
                "ref": "R-1",
                "name": "Billetter",
                "purposes": ["Salg"],
                "data_subjects": ["customer"],
                "data_categories": ["user.name"],
                "transparency": transparency,
            },
            actor="t",
        )
    with db.session(engine) as s:
        document = interchange.export_document(s)
        write_workbook(s, tmp_path / "r.xlsx", lang="nb")
    org = document["organisations"][0]
    assert org["public_fields"] == ["purposes", "transfers"] and org["activities"][0]["transparency"] == transparency

    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    ws = wb["Behandlingsaktiviteter"]
    headers = [c.value for c in ws[1]]
    col = headers.index(ACTIVITY["transparency.provision"].label("nb")) + 1
    assert ws.cell(2, col).value == "avtalefestet"
    ws.cell(2, col).value = "lovpålagt"
    ws.cell(2, headers.index(ACTIVITY["transparency.automated_decisions"].label("nb")) + 1).value = "Nei"
    wb.save(tmp_path / "edited.xlsx")
    with db.transaction(engine) as s:
        imports.import_(s, tmp_path / "edited.xlsx", actor="t")
    with db.session(engine) as s:
        after = activity_dict(get_activity(s, "Runde AS", "R-1"))["transparency"]
    assert after == {**transparency, "provision": "statutory", "automated_decisions": False}


def test_unknown_notice_codes_are_rejected_with_their_path(engine: Any):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Feil AS"}, actor="t")
        with pytest.raises(ValidationFailed) as err:
            create_activity(s, "Feil AS", {"ref": "F-1", "name": "x", "transparency": {"provision": "maybe"}}, actor="t")
    assert [p.where for p in err.value.problems] == ["transparency.provision"]
