"""A public register: a static, accessible HTML site of the fields an organisation publishes.

For public bodies that publish their record. One page per active activity, an index per
organisation and language with a search that works offline (the index is embedded in the
page, so it works from a file system or a USB stick with no server), both languages side by
side. Only the fields in the organisation's ``public_fields`` (or the default set) are
written, and even then only their public parts: recipients without their agreements,
transfers without safeguard documents or notes, legal bases without justifications. Owners,
systems, DPIA references, reviews, findings and notes are never published.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Optional, Union

import jinja2
from sqlmodel import Session

from ropa import vocab
from ropa.documents.present import LANGS, Presenter, load
from ropa.documents.typeset import TEMPLATES
from ropa.errors import RopaError
from ropa.public_fields import public_fields


def slug(text: str) -> str:
    """A file-name-safe, readable slug ("Ukjent selskap, Panyu" -> "ukjent-selskap-panyu")."""
    text = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("Æ", "AE"))
    text = text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


def unique_slug(text: str, taken: set[str]) -> str:
    """:func:`slug`, numbered when another name already took it ("A.1" and "A-1" are both "a-1"),
    so no page overwrites another's."""
    base = out = slug(text)
    n = 2
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    taken.add(out)
    return out


@dataclass
class PublishSummary:
    directory: Path
    organisations: int
    activities: int
    pages: int


def _public_values(key: str, act: dict[str, Any], p: Presenter) -> list[str]:
    """The public part of one field's value (never agreements, notes, safeguards or LIAs)."""
    if key == "description":
        return [act["description"]] if act.get("description") else []
    if key == "role":
        return [p.term(vocab.ROLES, act.get("role"))]
    if key == "status":
        return [p.term(vocab.STATUSES, act.get("status"))]
    if key == "legal_bases":
        return [vocab.LEGAL_BASES[b["code"]].display(p.lang) for b in act.get("legal_bases", []) if b.get("code") in vocab.LEGAL_BASES]
    if key == "art9_conditions":
        return [vocab.ART9_CONDITIONS[b["code"]].display(p.lang) for b in act.get("art9_conditions", []) if b.get("code") in vocab.ART9_CONDITIONS]
    if key in ("data_subjects",):
        return [p.subject(s) for s in act.get(key, [])]
    if key in ("data_categories", "special_categories"):
        return [p.category(c) for c in act.get(key, [])]
    if key == "criminal_data":
        return [p.yes_no(bool(act.get("criminal_data")))]
    if key == "recipients":
        return [f"{r['name']} ({p.term(vocab.RECIPIENT_KINDS, r.get('kind'))})" for r in act.get("recipients", [])]
    if key == "transfers":
        out = []
        for t in act.get("transfers", []):
            where = p.country(t.get("country")) or (t.get("international_organisation") or "")
            out.append(f"{where}: {p.mechanism(t.get('mechanism'))}")
        return out
    if key == "retention.text":
        text = (act.get("retention") or {}).get("text")
        return [str(text)] if text else []
    if key == "retention.period":
        rule = p.retention(act.get("retention") or {})
        return [rule] if rule else []
    if key == "dpia.status":
        return [p.term(vocab.DPIA_STATUSES, (act.get("dpia") or {}).get("status"))]
    value = act.get(key)
    return [str(v) for v in value] if isinstance(value, list) else ([str(value)] if value else [])


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "site"), autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )


WORDS = {
    "site": ("Offentlig behandlingsprotokoll", "Public record of processing activities"),
    "search": ("Søk i behandlingene", "Search the processing activities"),
    "search_hint": ("Skriv ord fra navn, formål, opplysninger eller mottakere.", "Type words from names, purposes, data or recipients."),
    "results": ("{n} av {total} behandlinger vises.", "Showing {n} of {total} processing activities."),
    "none": ("Ingen behandlinger passer søket.", "No processing activity matches."),
    "activities": ("Behandlingsaktiviteter", "Processing activities"),
    "contact": ("Kontakt", "Contact"),
    "dpo": ("Personvernombud", "Data protection officer"),
    "back": ("Til oversikten", "Back to the list"),
    "other_lang": ("English", "Norsk"),
    "skip": ("Hopp til innholdet", "Skip to content"),
    "made": ("Publisert fra behandlingsprotokollen", "Published from the record of processing activities"),
    "not_recorded": ("Ikke oppgitt", "Not stated"),
    "orgs": ("Virksomheter", "Organisations"),
    "none_listed": ("Ingen", "None"),
}
# Fields where an empty list means "there are none" rather than "not stated".
NONE_MEANS_NONE = frozenset({"special_categories", "art9_conditions", "transfers", "recipients", "controllers"})


MARKER = ".ropa-public-register"


def is_site(directory: Path) -> bool:
    """Whether a directory is a register this module published (and so may be replaced whole):
    its marker file, or the layout of one written before the marker existed."""
    if (directory / MARKER).is_file():
        return True
    layout = ("index.html", "style.css", "search.js", "nb/index.html", "en/index.html")
    return all((directory / name).is_file() for name in layout) and {p.name for p in directory.iterdir()} <= {
        "index.html",
        "style.css",
        "search.js",
        "nb",
        "en",
    }


def publish(organisations: Sequence[dict[str, Any]], directory: Union[str, Path], *, made: Optional[datetime] = None) -> PublishSummary:
    """Write the site for these organisation dicts (see :func:`present.load`) into ``directory``.

    The directory is written afresh (a ``.part`` sibling renamed into place), so a page of an
    activity that is no longer published does not linger.
    """
    directory = Path(directory)
    made = made or datetime.now(UTC)
    env = _environment()
    tmp = directory.with_name(directory.name + ".part")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    pages = activities = 0
    for lang in LANGS:
        p = Presenter(lang)
        w = {k: p.t(*v) for k, v in WORDS.items()}
        other = "en" if lang == "nb" else "nb"
        orgs_out = []
        org_slugs: set[str] = set()
        for org in organisations:
            fields = public_fields(org.get("public_fields"))
            oslug = unique_slug(org["name"], org_slugs)
            entries = []
            page_slugs: set[str] = set()
            for act in org.get("activities", []):
                if act.get("status") != "active":
                    continue
                rows = [
                    {"key": k, "label": p.label(k), "vals": _public_values(k, act, p), "empty": w["none_listed"] if k in NONE_MEANS_NONE else w["not_recorded"]}
                    for k in fields
                ]
                href = f"{oslug}/{unique_slug(act['ref'], page_slugs)}.html"
                page = env.get_template("activity.html.j2").render(
                    lang=lang,
                    other=other,
                    w=w,
                    org=org,
                    act={"ref": act["ref"], "name": act["name"]},
                    rows=rows,
                    root="../",
                    other_href=f"../../{other}/{href}",
                    made=p.date(made.date()),
                )
                target = tmp / lang / href
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(page, encoding="utf-8")
                pages += 1
                activities += lang == "nb"
                words = " ".join([act["ref"], act["name"], *(v for r in rows for v in r["vals"])])
                entries.append({"ref": act["ref"], "name": act["name"], "href": href, "text": words.casefold()})
            contact = [v for v in (org.get("address"), org.get("email"), org.get("phone"), org.get("website")) if v]
            dpo = org.get("dpo") or {}
            orgs_out.append(
                {
                    "name": org["name"],
                    "slug": oslug,
                    "contact": contact,
                    "dpo": [v for v in (dpo.get("name"), dpo.get("email"), dpo.get("phone")) if v],
                    "entries": entries,
                }
            )
        total = sum(len(o["entries"]) for o in orgs_out)
        index = env.get_template("index.html.j2").render(
            lang=lang,
            other=other,
            w=w,
            orgs=orgs_out,
            total=total,
            made=p.date(made.date()),
            other_href=f"../{other}/index.html",
            results_template=w["results"],
            search_index=json.dumps([{"id": f"{o['slug']}/{e['href']}", "text": e["text"]} for o in orgs_out for e in o["entries"]], ensure_ascii=False)
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026"),
        )  # inert inside <script>
        (tmp / lang / "index.html").parent.mkdir(parents=True, exist_ok=True)
        (tmp / lang / "index.html").write_text(index, encoding="utf-8")
        pages += 1
    (tmp / "index.html").write_text(env.get_template("root.html.j2").render(w_nb=WORDS["site"][0], w_en=WORDS["site"][1]), encoding="utf-8")
    shutil.copyfile(TEMPLATES / "site" / "style.css", tmp / "style.css")
    shutil.copyfile(TEMPLATES / "site" / "search.js", tmp / "search.js")
    (tmp / MARKER).write_text("A public register written by `python -m ropa publish`; it is replaced whole on the next run.\n", encoding="utf-8")
    if directory.exists():
        if any(directory.iterdir()) and not is_site(directory):
            shutil.rmtree(tmp)
            raise RopaError(f"{directory} is not empty and is not a published register; choose an empty or new directory")
        shutil.rmtree(directory)
    tmp.replace(directory)
    return PublishSummary(directory, len(organisations), activities, pages + 1)


def publish_register(session: Session, directory: Union[str, Path], *, orgs: Optional[Sequence[str]] = None) -> PublishSummary:
    return publish(load(session, orgs), directory)
