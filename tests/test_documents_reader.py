"""The documents as a reader meets them: hostile stored text printed as typed in every format and
never run as typst, the record's cover and cards worded for an authority (who approved, what an
empty value means), and the notice drafted only from what the register records, its gaps
cited with the paragraph of Art. 13 or 14 that asks for them."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PdfReader
from test_documents import bare, docx_text, html_parse, html_text, pdf_text, squash

from ropa import db, review
from ropa.demo import load_demo
from ropa.documents import notice, notice_parts, notice_render, publish, report, typeset
from ropa.documents.present import load
from ropa.errors import NotFound
from ropa.fields import ORGANISATION
from ropa.register.activities import create_activity, get_activity
from ropa.register.organisations import create_organisation

# Each a name or text a person could type; each must print exactly so, and none may act.
ORG = "Hostile #set AS *bold* {x} $1"
HOSTILE = {
    "activity": "Kunder #set page(width: 2cm) <script>alert(1)</script> @ref {a} $x^2$",
    "purpose": '#read("/etc/passwd") *fet* _kursiv_ `kode` // kommentar',
    "description": '#include "/etc/hostname" #image("/etc/passwd") #exit() ] [ \\ ~ -- ... = - + 1.',
    "address": "Gate #1, {{ jinja }} {% raw %} <b>bold</b>",
    "dpo": "Ola #let x = 1 Nordmann",
    "recipient": "Mottaker ]#[ & Co <i>",
    "agreement": "DPA $1 @label #box[x]",
    "note": "*interesse* `x` #strong[y]",
    "retention": "to år /* blokk */ etter #v(10cm)",
    "trigger": "utmelding #pagebreak()",
    "safeguard": 'SCC _2021_ #link("file:///etc/passwd")',
    "consequences": "Uten e-post: #text(size: 40pt)[stor] ingen billett",
    "logic": "Poeng <img src=x onerror=alert(1)> * 2",
    "owner": "Avdeling #{owner} @eier",
    "system": "System `rm -rf` #sys()",
    "source": "Kilde // #source $src$",
    "measure": "Tiltak #show: none",
    "dpia": "DPIA-ref #dpia[1]",
    "criminal": "Straff #law §",
    "controller": "Partner ]#[ AS",
    "representative": "Rep #rep Ltd",
}


@pytest.fixture
def hostile(engine: Any) -> Any:
    with db.transaction(engine) as s:
        create_organisation(
            s,
            {
                "name": ORG,
                "email": "post@hostile.no",
                "country": "NO",
                "address": HOSTILE["address"],
                "dpo": {"name": HOSTILE["dpo"], "email": "pvo@hostile.no"},
                "representative": {"name": HOSTILE["representative"], "country": "IE"},
                "public_fields": ["description", "purposes", "recipients", "retention.text"],
            },
            actor="test",
        )
        create_activity(
            s,
            ORG,
            {
                "ref": "H-1",
                "name": HOSTILE["activity"],
                "description": HOSTILE["description"],
                "purposes": [HOSTILE["purpose"]],
                "role": "joint_controller",
                "controllers": [HOSTILE["controller"]],
                "owner": HOSTILE["owner"],
                "systems": [HOSTILE["system"]],
                "sources": [HOSTILE["source"]],
                "security_measures": [HOSTILE["measure"]],
                "dpia": {"status": "done", "ref": HOSTILE["dpia"]},
                "criminal_data": True,
                "criminal_data_basis": HOSTILE["criminal"],
                "data_subjects": ["customer"],
                "data_categories": ["user.name"],
                "legal_bases": [{"code": "art6_1_f", "note": HOSTILE["note"]}],
                "recipients": [{"name": HOSTILE["recipient"], "kind": "processor", "agreement": HOSTILE["agreement"]}],
                "retention": {"period": 2, "unit": "years", "trigger": HOSTILE["trigger"], "action": "erase", "text": HOSTILE["retention"]},
                "transfers": [{"country": "US", "recipient": HOSTILE["recipient"], "mechanism": "art46_2_c", "safeguard": HOSTILE["safeguard"]}],
                "transparency": {
                    "collection": "subject",
                    "provision": "contractual",
                    "provision_consequences": HOSTILE["consequences"],
                    "automated_decisions": True,
                    "automated_logic": HOSTILE["logic"],
                },
            },
            actor="test",
        )
    return engine


def _docx(r: report.Report) -> bytes:
    buf = io.BytesIO()
    report.render_docx(r, buf)
    return buf.getvalue()


def _unescape_markdown(text: str) -> str:
    """CommonMark: a backslash before ASCII punctuation makes it literal; a trailing
    two-space line break is a break."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text.replace("  \n", "\n"))


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_hostile_text_prints_as_typed_and_never_acts(hostile: Any, tmp_path: Path, lang: str):
    with db.session(hostile) as s:
        made = report.make_report(s, lang=lang, with_findings=True)
        n = notice.make_notice(s, ORG, lang=lang)
        site = publish.publish_register(s, tmp_path / "site")
    pdf = report.render_pdf(made)
    reader = PdfReader(io.BytesIO(pdf))
    # No injected #set page, #pagebreak or #v changed the layout: every page is A4.
    assert all(abs(float(pg.mediabox.width) - 595.28) < 1 and abs(float(pg.mediabox.height) - 841.89) < 1 for pg in reader.pages)
    assert reader.metadata.author == ORG and reader.metadata.title
    notice_pdf = notice_render.render(n, ".pdf")
    texts = {
        "record.pdf": pdf_text(pdf),
        "record.docx": docx_text(_docx(made)),
        "notice.pdf": pdf_text(notice_pdf),
        "notice.docx": docx_text(notice_render.render(n, ".docx")),
        "notice.html": html_text(notice_render.render(n, ".html").decode()),
        "notice.md": squash(_unescape_markdown(notice_render.render_markdown(n))),
    }
    in_notice = ("activity", "purpose", "address", "dpo", "recipient", "note", "trigger", "safeguard", "consequences", "logic", "controller")
    # A joint controller's notice names the partners and flags the essence of the arrangement (Art. 26(2)) as a gap.
    assert [g.activity for g in n.gaps if g.article == "Art. 26(2)"] == ["H-1"]
    in_record = (
        "activity",
        "purpose",
        "description",
        "address",
        "dpo",
        "recipient",
        "agreement",
        "note",
        "retention",
        "trigger",
        "safeguard",
        "owner",
        "system",
        "source",
        "measure",
        "dpia",
        "criminal",
        "controller",
        "representative",
    )
    for kind, text in texts.items():
        assert "root:" not in text, kind  # nothing of /etc/passwd
        for key in in_record if kind.startswith("record") else in_notice:
            assert bare(HOSTILE[key]) in bare(text), (kind, key)
        assert bare(ORG) in bare(text), kind
    # The notice's HTML holds no element the stored text brought in.
    tags = {tag for tag, _ in html_parse(notice_render.render(n, ".html").decode()).tags}
    assert not tags & {"script", "b", "i", "img"}
    page = (site.directory / lang / publish.slug(ORG) / "h-1.html").read_text(encoding="utf-8")
    assert not {tag for tag, _ in html_parse(page).tags} & {"script", "b", "i", "img"}
    for key in ("activity", "purpose", "description", "recipient", "retention"):
        assert squash(HOSTILE[key]) in html_text(page), key
    assert HOSTILE["agreement"] not in page  # agreements are never published


def test_markdown_escape_reads_back_exactly():
    for text in [*HOSTILE.values(), ORG, "- liste\n# overskrift\n1. nummer\n> sitat\n:red[farge] $$x$$ | a | b |"]:
        out = notice_render.escape_markdown(text)
        assert _unescape_markdown(out) == text, text
        unescaped = re.sub(r"\\.", "", out)
        assert not set(unescaped) & set("*_`[]<>#$|~&\\"), text


@pytest.mark.parametrize("source", ['#read("/etc/passwd")', '#include "/etc/hostname"', '#image("/etc/passwd")', '#import "@preview/example:0.1.0": *'])
def test_typst_sandbox_reaches_no_file(source: str):
    """Even typst source that escaped the escaping could read nothing outside its empty root."""
    with pytest.raises(typeset.TypesetFailed):
        typeset.compile_pdf(source)


# --- the record as an authority reads it -------------------------------------------------------


def test_cover_and_card_say_who_approved_and_what_empty_means(engine: Any):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Norsk AS", "country": "NO", "email": "post@norsk.no"}, actor="test")
        create_organisation(s, {"name": "Foreign Ltd", "country": "CN", "email": "post@foreign.cn"}, actor="test")
        for org in ("Norsk AS", "Foreign Ltd"):
            create_activity(
                s,
                org,
                {
                    "ref": "A-1",
                    "name": "Kunder",
                    "purposes": ["Salg"],
                    "data_subjects": ["customer"],
                    "data_categories": ["user.name"],
                    "recipients": [{"name": "Drift AS", "kind": "processor"}],
                },
                actor="test",
            )
        review.submit(s, "Norsk AS", "A-1", actor="Dora DPO")
        act = get_activity(s, "Norsk AS", "A-1")
        review.approve(s, "Norsk AS", "A-1", expected_version=act.version, actor="Dora DPO")
    for lang, words in (
        (
            "nb",
            {
                "approved": "1 av 2 behandlingsaktiviteter er godkjent",
                "by": "godkjent av Dora DPO",
                "not": "Ikke godkjent (utkast)",
                "none": "Ingen registrert",
                "na": "Ikke aktuelt (etablert i EØS)",
                "sole": "Ikke aktuelt (eget behandlingsansvar)",
                "missing": "Ikke registrert",
            },
        ),
        (
            "en",
            {
                "approved": "1 of 2 processing activities approved",
                "by": "approved by Dora DPO",
                "not": "Not approved (draft)",
                "none": "None recorded",
                "na": "Not applicable (established in the EEA)",
                "sole": "Not applicable (sole controller)",
                "missing": "Not recorded",
            },
        ),
    ):
        with db.session(engine) as s:
            made = report.make_report(s, lang=lang)
        cover = dict(made.cover)
        # One organisation in the EEA and one outside: the representative is recorded for neither.
        assert cover[made.p.label("representative.name", ORGANISATION)] == []
        approved_label = {"nb": "Godkjent av", "en": "Approved by"}[lang]
        assert cover[approved_label][0] == words["approved"] and cover[approved_label][1].startswith("Dora DPO")
        cards = {o["name"]: o["cards"][0] for o in made.organisations}

        def shown(card: Any, label_start: str, made: Any = made) -> str:
            row = next(r for sec in card.sections for r in sec.rows if r.label.startswith(label_start))
            return "; ".join(row.values) if row.values else (row.empty or made.p.not_recorded)

        no, cn = cards["Norsk AS"], cards["Foreign Ltd"]
        assert words["by"] in shown(no, made.p.t("Godkjent", "Approved")) and shown(cn, made.p.t("Godkjent", "Approved")) == words["not"]
        assert shown(no, made.p.label("transfers")) == words["none"]
        assert shown(no, made.p.t("Felles behandlingsansvarlige", "Joint controllers")) == words["sole"]
        # Outside the EEA the Art. 27 representative is required: its absence is "not recorded".
        rep_label = next(r.label for sec in cn.sections for r in sec.rows if r.article in ("Art. 27", "art. 27"))  # as each language cites it
        assert shown(cn, rep_label) == words["missing"] and shown(no, rep_label) == words["na"]
        for text in (pdf_text(report.render_pdf(made)), docx_text(_docx(made))):
            for key in ("approved", "by", "not", "none", "na", "sole"):
                assert bare(words[key]) in bare(text), (lang, key)
        # A processor without an agreement is marked in the annex (Art. 28(3)).
        assert made.organisations[0]["recipients"][0][3] == words["missing"]


def test_pdf_pages_carry_the_running_header_and_page_numbers(engine: Any):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Lang AS", "country": "NO"}, actor="test")
        for i in range(1, 4):
            create_activity(
                s,
                "Lang AS",
                {"ref": f"L-{i}", "name": f"Behandling {i}", "purposes": [f"Formål {j}" for j in range(30)], "data_subjects": ["customer"]},
                actor="test",
            )
    with db.session(engine) as s:
        made = report.make_report(s, lang="nb")
    reader = PdfReader(io.BytesIO(report.render_pdf(made)))
    pages = [squash(pg.extract_text()) for pg in reader.pages]
    total = len(pages)
    assert total >= 5
    for i, text in enumerate(pages, start=1):
        assert f"Side {i} av {total}" in text
        if i > 1:
            assert text.startswith("Protokoll over behandlingsaktiviteter – Lang AS"), text[:80]
    # A card that runs onto a second page names itself at the top of that page.
    assert all(re.match(r"Protokoll over behandlingsaktiviteter – Lang AS (Lang AS|L-\d Behandling \d|Vedlegg)", t) for t in pages[2:]), [
        t[:90] for t in pages[2:]
    ]
    d = docx.Document(io.BytesIO(_docx(made)))
    assert d.sections[0].header.paragraphs[0].text.startswith("Protokoll over behandlingsaktiviteter")
    assert 'STYLEREF "Heading 2"' in d.sections[0].header._element.xml  # Word names the card a page is in
    assert [p.text for p in d.paragraphs if p.style.name == "Heading 2"] == [f"L-{i} Behandling {i}" for i in range(1, 4)] + ["Lang AS"]


# --- notices: only what the register records, every Art. 13/14 item or its gap ------------------


def _bare_activity(engine: Any, collection: Any = None) -> None:
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Tom AS"}, actor="test")
        create_activity(
            s,
            "Tom AS",
            {"ref": "T-1", "name": "Noe", "data_subjects": ["customer"], "transparency": {"collection": collection} if collection else {}},
            actor="test",
        )


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_an_empty_activity_gives_gaps_for_every_item_and_invents_nothing(engine: Any, lang: str):
    _bare_activity(engine)
    with db.session(engine) as s:
        n = notice.make_notice(s, "Tom AS", lang=lang)
    assert n.draft
    articles = {g.article for g in n.gaps}
    # Collection not recorded: both articles apply, and each gap cites both.
    for expected in (
        "Art. 13(1)(a), 14(1)(a)",
        "Art. 13(1)(b), 14(1)(b)",
        "Art. 13(1)(c), 14(1)(c)",
        "Art. 13(2)(a), 14(2)(a)",
        "Art. 14(1)(d)",
        "Art. 14(2)(f)",
        "Art. 13/14",
        "Art. 13(2)(e)",
        "Art. 13(2)(f), 14(2)(g)",
        "Art. 12(2)",
        "Art. 13(1)(e), 14(1)(e)",
    ):
        assert expected in articles, (expected, articles)
    text = n.text().casefold()
    # Nothing the register does not say: no basis, hence no consent, portability or objection; no retention period.
    for invented in {
        "nb": ("samtykke", "maskinlesbart", "protestere", "berettiget interesse", " år", "deler ikke"),
        "en": ("consent", "machine-readable", "object to", "legitimate interest", " years", "do not share"),
    }[lang]:
        assert invented not in text, invented
    # The rights every person has, and the complaint, are stated whatever the register holds.
    for always in {"nb": ("innsyn", "rettet", "slettet", "begrense", "datatilsynet"), "en": ("access", "corrected", "erased", "restrict", "datatilsynet")}[
        lang
    ]:
        assert always in text, always
    html = notice_render.render(n, ".html").decode()
    assert html.count('<mark class="gap">') == len(n.gaps)
    assert len(html_parse(html).tags) and all(g.what in html_text(html) for g in n.gaps)


def test_gaps_cite_art14_for_data_obtained_elsewhere(engine: Any):
    _bare_activity(engine, "elsewhere")
    with db.session(engine) as s:
        n = notice.make_notice(s, "Tom AS", lang="en")
    articles = {g.article for g in n.gaps}
    assert "Art. 14(1)(c)" in articles and "Art. 14(2)(a)" in articles and "Art. 14(2)(g)" in articles
    assert not any(a.startswith("Art. 13(") for a in articles), articles  # Art. 13(2)(e) does not apply to data obtained elsewhere


def test_notice_summary_keeps_purposes_as_written_and_counts_what_it_leaves_out(engine: Any):
    purposes = ["Google Analytics for NAV", *[f"Formål {i}" for i in range(7)]]
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Mange AS", "email": "post@mange.no"}, actor="test")
        create_activity(
            s,
            "Mange AS",
            {"ref": "M-1", "name": "Mye", "purposes": purposes, "data_subjects": ["customer"], "legal_bases": [{"code": "art6_1_b"}]},
            actor="test",
        )
    with db.session(engine) as s:
        nb = notice.make_notice(s, "Mange AS", lang="nb")
        en = notice.make_notice(s, "Mange AS", lang="en")
    assert "Google Analytics for NAV" in nb.summary[0] and nb.summary[0].endswith("og 2 til.")
    assert en.summary[0].endswith("and 2 more.")
    for p in purposes:  # the details list every purpose
        assert p in nb.text() and p in en.text()


@pytest.fixture(scope="module")
def demo_orgs(tmp_path_factory: Any) -> list[dict[str, Any]]:
    """The demo register (SQLite, built once) as the documents read it."""
    engine = db.make_engine(f"sqlite:///{tmp_path_factory.mktemp('reader') / 'demo.db'}")
    db.migrate(engine)
    with db.transaction(engine) as s:
        load_demo(s, actor="test")
    with db.session(engine) as s:
        out = load(s)
    engine.dispose()
    return out


def _read_back(n: notice_parts.Notice, suffix: str) -> str:
    data = notice_render.render(n, suffix)
    return {
        ".md": lambda: squash(_unescape_markdown(data.decode())),
        ".html": lambda: html_text(data.decode()),
        ".docx": lambda: docx_text(data),
        ".pdf": lambda: pdf_text(data),
    }[suffix]()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_demo_notice_marks_each_gap_in_place_in_every_format(demo_orgs: Any, lang: str):
    marker, draft = {"nb": ("[MANGLER: ", "UTKAST"), "en": ("[MISSING: ", "DRAFT")}[lang]
    built = 0
    for org in demo_orgs:
        try:
            n = notice.build_notice(org, lang=lang)
        except NotFound:  # no active activity as controller
            continue
        built += 1
        for suffix in (".md", ".html", ".docx", ".pdf"):
            text = _read_back(n, suffix)
            assert text.count(marker) == len(n.gaps), (org["name"], suffix)  # in place; the closing list has no marker
            assert (draft in text) == bool(n.gaps), (org["name"], suffix)
            for g in n.gaps:
                assert squash(g.what) in text and g.cited in text, (org["name"], suffix, g)
    assert built == len(demo_orgs)


def test_janteloppet_notice_in_english(demo_orgs: Any):
    jl = next(o for o in demo_orgs if o["name"] == "Janteloppet")
    n = notice.build_notice(jl, lang="en")
    reader = PdfReader(io.BytesIO(notice_render.render(n, ".pdf")))
    assert reader.metadata.title == "Privacy notice – Janteloppet" and reader.metadata.author == "Janteloppet"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    pages = [squash(pg.extract_text()) for pg in reader.pages]
    assert all(f"Page {i} of {len(pages)}" in t for i, t in enumerate(pages, start=1))
    assert all(t.startswith("Privacy notice – Janteloppet") for t in pages[1:])  # the running header
    props = docx.Document(io.BytesIO(notice_render.render(n, ".docx"))).core_properties
    assert props.title == "Privacy notice – Janteloppet" and props.language == "en-GB"
    for suffix in (".md", ".html", ".docx", ".pdf"):
        text = _read_back(n, suffix)
        assert "6 years" in text and "complain to Datatilsynet" in text and "www.datatilsynet.no" in text, suffix
        assert "withdraw it at any time" in text and "GDPR Article 6(1)(b)" in text, suffix
        # JL-07's special categories rest on explicit consent, said plainly; the DPO's note on it is not published.
        assert "You have given your explicit consent. (GDPR Article 9(2)(a))" in text, suffix
        assert "basert på ditt samtykke" not in text, suffix


def test_documents_show_only_what_the_reader_may_read(engine: Any, tmp_path: Path):
    """A viewer of one organisation gets a record, notice and site of that one; naming another is refused."""
    from ropa import access
    from ropa.errors import PermissionDenied

    with db.transaction(engine) as s:
        for name in ("Egen AS", "Annen AS"):
            create_organisation(s, {"name": name, "country": "NO", "email": "post@x.no"}, actor="test")
            create_activity(
                s,
                name,
                {"ref": "A-1", "name": f"Kunder hos {name}", "purposes": ["Salg"], "data_subjects": ["customer"], "legal_bases": [{"code": "art6_1_b"}]},
                actor="test",
            )
    viewer = access.Principal("vera", "viewer", frozenset({"Egen AS"}))
    with db.session(engine) as s, access.reading_as(viewer):
        made = report.make_report(s, lang="nb")
        assert [o["name"] for o in made.organisations] == ["Egen AS"]
        text = pdf_text(report.render_pdf(made))
        assert "Egen AS" in text and "Annen AS" not in text
        summary = publish.publish_register(s, tmp_path / "site")
        assert summary.organisations == 1
        with pytest.raises(PermissionDenied):
            report.make_report(s, orgs=["Annen AS"])
        with pytest.raises(PermissionDenied):
            notice.make_notice(s, "Annen AS")
    assert "Annen AS" not in " ".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))


def test_word_tables_keep_their_column_widths(engine: Any):
    """Word reads a cell's own width: the label column stays narrow, the values get the rest."""
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Bredde AS"}, actor="test")
        create_activity(s, "Bredde AS", {"ref": "B-1", "name": "Noe", "purposes": ["x"]}, actor="test")
    with db.session(engine) as s:
        d = docx.Document(io.BytesIO(_docx(report.make_report(s, lang="en"))))
    for table in d.tables[:2]:  # the cover and the card
        for row in table.rows:
            assert [round(c.width.cm, 1) for c in row.cells] == [5.2, 11.8]


def test_cover_says_the_representative_does_not_apply_in_the_eea(engine: Any):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Norsk AS", "country": "NO"}, actor="test")
    with db.session(engine) as s:
        for lang, words in (("nb", "Ikke aktuelt (etablert i EØS)"), ("en", "Not applicable (established in the EEA)")):
            made = report.make_report(s, lang=lang)
            assert dict(made.cover)[made.p.label("representative.name", ORGANISATION)] == [words]
            assert words in pdf_text(report.render_pdf(made))


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install -y chromium)")
def test_public_site_search_works_offline_in_a_browser(demo_engine: Any, tmp_path: Path):
    """The site opened from disk (no server, no network): the search narrows the list, hides the
    organisations without a match, and says how many match, in the page's language."""
    from playwright.sync_api import sync_playwright

    with db.session(demo_engine) as s:
        publish.publish_register(s, tmp_path / "site")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.route("http*://**", lambda route: route.abort())  # nothing may be fetched from the network
            page.goto((tmp_path / "site" / "nb" / "index.html").as_uri())
            total = page.locator("li[data-id]").count()
            assert page.locator("#count").inner_text() == f"{total} av {total} behandlinger vises."
            page.fill("#q", "kina")
            shown = page.locator("li[data-id]:visible")
            assert shown.count() and all(t.startswith("GZP-") for t in shown.all_inner_texts())
            assert page.locator("section[data-org]:visible").all_inner_texts()[0].startswith("Ukjent selskap")
            assert page.locator("section[data-org]:visible").count() == 1
            assert page.locator("#count").inner_text() == f"{shown.count()} av {total} behandlinger vises."
            page.fill("#q", "ordsomikkefinnes")
            assert page.locator("#count").inner_text() == "Ingen behandlinger passer søket."
            page.fill("#q", "")
            assert page.locator("li[data-id]:visible").count() == total and page.locator("section[data-org]:visible").count() == 5
        finally:
            browser.close()


@pytest.mark.parametrize("group", ["Søkere", "søker", "applicants", "Jobbsøkere", "job applicant"])
def test_notice_for_applicants_finds_job_applicants(engine: Any, group: str):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Arbeid AS", "email": "post@arbeid.no"}, actor="test")
        for ref, subject in (("R-1", "job_applicant"), ("K-1", "customer"), ("P-1", "prospect")):
            create_activity(s, "Arbeid AS", {"ref": ref, "name": ref, "purposes": ["x"], "data_subjects": [subject]}, actor="test")
    with db.session(engine) as s:
        assert notice.make_notice(s, "Arbeid AS", subjects=group).activities == ["R-1"]
        assert notice.make_notice(s, "Arbeid AS", subjects="Kunder").activities == ["K-1"]  # not the prospects


def test_notice_names_the_recorded_supervisory_authority_and_keeps_datatilsynet(engine: Any):
    with db.transaction(engine) as s:
        create_organisation(
            s,
            {
                "name": "Irsk Ltd",
                "email": "post@irsk.ie",
                "country": "IE",
                "supervisory_authority": "Data Protection Commission, 21 Fitzwilliam Square, Dublin",
            },
            actor="test",
        )
        create_activity(
            s,
            "Irsk Ltd",
            {"ref": "I-1", "name": "Kunder", "purposes": ["Salg"], "data_subjects": ["customer"], "legal_bases": [{"code": "art6_1_b"}]},
            actor="test",
        )
    with db.session(engine) as s:
        for lang, words in (
            ("nb", ("klage til vår tilsynsmyndighet: Data Protection Commission", "i Norge er det Datatilsynet")),
            ("en", ("complain to our supervisory authority: Data Protection Commission", "in Norway that is Datatilsynet")),
        ):
            text = html_text(notice_render.render(notice.make_notice(s, "Irsk Ltd", lang=lang), ".html").decode())
            assert all(w in text for w in words) and "www.datatilsynet.no" in text, lang


def test_notice_words_an_international_organisation_as_such_and_spaces_its_gaps(engine: Any):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Hjelp AS", "email": "post@hjelp.no", "country": "NO"}, actor="test")
        create_activity(
            s,
            "Hjelp AS",
            {
                "ref": "H-1",
                "name": "Rapportering",
                "purposes": ["Rapportere"],
                "data_subjects": ["customer"],
                "transfers": [{"international_organisation": "WHO", "mechanism": "art46_2_c"}],
            },
            actor="test",
        )
    with db.session(engine) as s:
        n = notice.make_notice(s, "Hjelp AS", lang="en")
    text = n.text()
    assert "countries outside the EEA or international organisations: WHO." in text
    assert "][" not in text  # two gaps side by side are two sentences, not one run-on marker


def test_characters_xml_cannot_hold_do_not_break_a_document(engine: Any, tmp_path: Path):
    """A stored text may hold U+FFFE, a vertical tab or a carriage return (pasted from elsewhere):
    every document is still made, and the rest of the text is kept."""
    odd = "Før\ufffe midt\x0b etter\r\nny linje\uffff slutt\x7f"
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Rar AS", "email": "post@rar.no"}, actor="test")
        create_activity(
            s,
            "Rar AS",
            {
                "ref": "R-1",
                "name": "Rart",
                "description": odd,
                "purposes": [odd],
                "data_subjects": ["customer"],
                "legal_bases": [{"code": "art6_1_f", "note": odd}],
            },
            actor="test",
        )
    with db.session(engine) as s:
        made = report.make_report(s, lang="nb")
        n = notice.make_notice(s, "Rar AS", lang="nb")
        report.write_report(s, tmp_path / "r.docx")
        report.write_report(s, tmp_path / "r.pdf")
        publish.publish_register(s, tmp_path / "site")
    for text in (
        docx_text(_docx(made)),
        pdf_text(report.render_pdf(made)),
        docx_text(notice_render.render(n, ".docx")),
        pdf_text(notice_render.render(n, ".pdf")),
        html_text(notice_render.render(n, ".html").decode()),
    ):
        assert "Før" in text and "midt" in text and "ny linje" in text and "slutt" in text


def test_public_site_gives_every_activity_its_own_page(engine: Any, tmp_path: Path):
    """Names and refs that make the same slug ("A.1", "A-1", "A_1"; "Ab AS", "Ab-AS") each keep their page."""
    with db.transaction(engine) as s:
        for org in ("Ab AS", "Ab-AS"):
            create_organisation(s, {"name": org}, actor="test")
            for ref in ("A.1", "A-1", "A_1"):
                create_activity(s, org, {"ref": ref, "name": f"{org} {ref}", "purposes": [f"Formål {org} {ref}"], "status": "active"}, actor="test")
    with db.session(engine) as s:
        summary = publish.publish_register(s, tmp_path / "site")
    for lang in ("nb", "en"):
        pages = sorted((tmp_path / "site" / lang).rglob("*/*.html"))
        assert len(pages) == 6 == summary.activities
        shown = {html_text(p.read_text(encoding="utf-8")).split(" – ")[0] for p in pages}
        index = (tmp_path / "site" / lang / "index.html").read_text(encoding="utf-8")
        for org in ("Ab AS", "Ab-AS"):
            for ref in ("A.1", "A-1", "A_1"):
                assert any(f"Formål {org} {ref}" in html_text(p.read_text(encoding="utf-8")) for p in pages), (org, ref)
        hrefs = [
            attrs["href"]
            for tag, attrs in html_parse(index).tags
            if tag == "a" and attrs.get("href", "").endswith(".html") and not attrs["href"].startswith("..") and "/" in attrs["href"]
        ]
        assert len(set(hrefs)) == 6 and all((tmp_path / "site" / lang / h).exists() for h in hrefs)
        assert len(shown) == 6


def test_publish_replaces_only_a_site_it_wrote(demo_engine: Any, tmp_path: Path):
    """A directory that merely has an index.html (someone's web root) is refused and left as it was;
    a site written before is replaced whole."""
    web = tmp_path / "www"
    web.mkdir()
    (web / "index.html").write_text("<h1>Min side</h1>")
    (web / "bilde.png").write_bytes(b"png")
    with db.session(demo_engine) as s:
        with pytest.raises(Exception) as err:
            publish.publish_register(s, web, orgs=["Janteloppet"])
        assert "not empty" in str(err.value)
        assert sorted(p.name for p in web.iterdir()) == ["bilde.png", "index.html"]
        site = tmp_path / "site"
        publish.publish_register(s, site)
        assert (site / publish.MARKER).exists() and (site / "nb" / "allprofil-as").is_dir()
        publish.publish_register(s, site, orgs=["Janteloppet"])  # again, narrower: nothing of the first run lingers
    assert not (site / "nb" / "allprofil-as").exists() and (site / "nb" / "janteloppet").is_dir()


def test_a_missing_folder_is_named_not_the_temporary_file(demo_engine: Any, tmp_path: Path):
    from ropa.errors import RopaError

    with db.session(demo_engine) as s:
        for write in (lambda p: report.write_report(s, p), lambda p: notice_render.write_notice(s, p, "Janteloppet")):
            with pytest.raises(RopaError) as err:
                write(tmp_path / "mangler" / "dok.pdf")
            assert f"the folder {tmp_path / 'mangler'} does not exist" in str(err.value) and ".part" not in str(err.value)


def test_no_recipients_is_said_only_where_the_register_says_it(engine: Any):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Stille AS", "email": "post@stille.no", "country": "NO"}, actor="test")
        create_activity(s, "Stille AS", {"ref": "S-1", "name": "Intern", "purposes": ["x"], "data_subjects": ["employee"], "no_recipients": True}, actor="test")
        create_activity(s, "Stille AS", {"ref": "S-2", "name": "Ukjent", "purposes": ["y"], "data_subjects": ["customer"]}, actor="test")
    with db.session(engine) as s:
        both = notice.make_notice(s, "Stille AS", lang="nb")
        only_s1 = notice.make_notice(s, "Stille AS", lang="nb", subjects="ansatte")
        made = report.make_report(s, lang="nb")
    assert [g.activity for g in both.gaps if g.article.startswith("Art. 13(1)(e)")] == ["S-2"]
    assert "Vi deler ikke opplysningene med andre." not in both.text() and "står nedenfor" in both.summary[1]
    assert "Vi deler ikke opplysningene med andre." in only_s1.text()
    assert not [g for g in only_s1.gaps if g.article.startswith("Art. 13(1)(e)")]
    rows = {c.ref: next(r for sec in c.sections for r in sec.rows if r.article == "art. 30 nr. 1 bokstav d") for c in made.organisations[0]["cards"]}
    assert rows["S-1"].empty == "Utleveres ikke til noen" and rows["S-2"].empty is None  # "Ikke registrert"


def test_a_recipient_abroad_without_a_transfer_is_a_gap_not_a_promise(engine: Any):
    with db.transaction(engine) as s:
        create_organisation(s, {"name": "Sky AS", "email": "post@sky.no", "country": "NO"}, actor="test")
        create_activity(
            s,
            "Sky AS",
            {
                "ref": "C-1",
                "name": "Kunder",
                "purposes": ["x"],
                "data_subjects": ["customer"],
                "recipients": [{"name": "Cloud Inc", "kind": "processor", "country": "US"}],
            },
            actor="test",
        )
    with db.session(engine) as s:
        for lang, never, where in (("nb", "Vi overfører ikke", "USA"), ("en", "We do not transfer", "United States")):
            n = notice.make_notice(s, "Sky AS", lang=lang)
            assert never not in n.text() and "EØS." not in n.summary[2] and "stay in the EEA" not in n.summary[2]
            gaps = [g for g in n.gaps if g.article.startswith("Art. 13(1)(f)")]
            assert [g.activity for g in gaps] == ["C-1"] and where in gaps[0].what


def test_a_bokmal_notice_cites_its_articles_as_norwegian_law_writes_them(engine: Any):
    """The public reads "personvernforordningen artikkel 6 nr. 1 bokstav b" in the text, and the
    sections and the list of what is missing cite "art. 13 nr. 1 bokstav c"; English keeps the EU's form."""
    _bare_activity(engine)
    with db.transaction(engine) as s:
        create_activity(
            s,
            "Tom AS",
            {"ref": "T-2", "name": "Kunder", "purposes": ["x"], "data_subjects": ["customer"], "legal_bases": [{"code": "art6_1_b"}]},
            actor="test",
        )
    with db.session(engine) as s:
        nb, en = (notice.make_notice(s, "Tom AS", lang=lang) for lang in ("nb", "en"))
    assert "personvernforordningen artikkel 6 nr. 1 bokstav b" in nb.text() and "GDPR Article 6(1)(b)" in en.text()
    assert {g.cited for g in nb.gaps} >= {"art. 13 nr. 1 bokstav c, 14 nr. 1 bokstav c", "art. 13/14"}
    assert all(g.cited == g.article for g in en.gaps)
    sections = {sec.cited for sec in nb.sections}
    assert "art. 13 nr. 1 bokstav a–b, 14 nr. 1 bokstav a–b" in sections, sections
    md = notice_render.render(nb, ".md").decode().replace("\\", "")
    assert not re.search(r"Art\. \d+\(", md), re.findall(r"Art\. \d+\([^ ]*", md)
