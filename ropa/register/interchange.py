"""Export and import of the whole register in the JSON format (``ropa-register`` v1).

Import is all-or-nothing: the document is validated in full first (every problem reported
with its JSON path), then written in the caller's one transaction. It upserts: organisations
are matched by name, activities by organisation + ref; what the file does not mention is left
alone. Export then import into an empty database then export gives an identical document.

Every exported record carries the ``version`` it was read at. A record the register changed
since is left alone when the file's copy is untouched (``ImportReport.kept``) and is a
conflict, reported per record, when the copy was edited too: an import never undoes a save.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, TextIO, Union

from sqlmodel import Session

from ropa import access
from ropa.errors import MESSAGE_LANG, Conflict, PathPart, Problem, ValidationFailed
from ropa.models import Recipient
from ropa.register import activities as activity_records
from ropa.register import audit, bulk, lookup, organisations, reader
from ropa.schema import FORMAT_NAME, FORMAT_VERSION, OrganisationDoc, RecipientDoc
from ropa.validation import iter_organisations

MAX_JSON_BYTES = 50 * 1024 * 1024


def _organisation_docs(session: Session, orgs: Optional[list[str]] = None) -> Iterator[tuple[dict[str, Any], Iterator[dict[str, Any]]]]:
    """Each organisation's own fields (with its unused recipients) and a stream of its activities."""
    for org_row in reader.organisations(session, orgs):
        doc = reader.organisation_copy(session, org_row.id)
        yield doc, (act for _, act in reader.iter_activities(session, [org_row.id], versions=True))


def export_document(session: Session, orgs: Optional[list[str]] = None) -> dict[str, Any]:
    """The register (or the named organisations) as a JSON-ready dict, in a stable order."""
    out = []
    for doc, activities in _organisation_docs(session, orgs):
        doc["activities"] = list(activities)
        out.append(doc)
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "organisations": out}


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _write(out: TextIO, organisations: Iterable[tuple[dict[str, Any], Iterable[dict[str, Any]]]]) -> None:
    """The document's text: organisations indented, one activity per line.

    One line per activity keeps the file readable and diff-friendly (a change shows as the
    activity's line) and lets the C encoder write 100,000 activities in seconds.
    """
    out.write(f'{{\n  "format": {_compact(FORMAT_NAME)},\n  "version": {FORMAT_VERSION},\n  "organisations": [')
    for oi, (doc, activities) in enumerate(organisations):
        out.write(",\n    {\n" if oi else "\n    {\n")
        for key, value in doc.items():
            if key != "activities":
                out.write(f"      {_compact(key)}: {_compact(value)},\n")
        out.write('      "activities": [')
        for ai, act in enumerate(activities):
            out.write(",\n        " if ai else "\n        ")
            out.write(_compact(act))
        out.write("\n      ]\n    }")
    out.write("\n  ]\n}\n")


def dumps(document: dict[str, Any]) -> str:
    """The text of a register document, exactly as :func:`write_json` writes it."""
    buf = io.StringIO()
    _write(buf, (({k: v for k, v in o.items() if k != "activities"}, o.get("activities", [])) for o in document["organisations"]))
    return buf.getvalue()


def write_json(session: Session, path: Union[str, Path], orgs: Optional[list[str]] = None) -> dict[str, int]:
    """Stream the register to a file; memory stays flat however many activities there are."""
    counts = {"organisations": 0, "activities": 0}

    def counted() -> Iterator[tuple[dict[str, Any], Iterator[dict[str, Any]]]]:
        for doc, activities in _organisation_docs(session, orgs):
            counts["organisations"] += 1
            yield doc, _count(activities)

    def _count(activities: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for act in activities:
            counts["activities"] += 1
            yield act

    tmp = Path(f"{path}.part")
    with open(tmp, "w", encoding="utf-8") as out:
        _write(out, counted())
    tmp.replace(path)
    return counts


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    source: str
    organisations_created: int = 0
    organisations_updated: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    kept: list[str] = field(default_factory=list)  # old but untouched copies: the register's newer record stays

    def kept_note(self) -> str:
        return (
            (f"; {len(self.kept)} left alone (changed in the register since the file was exported; the file's copy is older and untouched)")
            if self.kept
            else ""
        )

    @property
    def activities_read(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged) + len(self.kept)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.activities_read} activities read from {self.source}: {len(self.created)} {verb} created, "
            f"{len(self.updated)} {verb} updated, {len(self.unchanged)} unchanged{self.kept_note()}; "
            f"organisations: {self.organisations_created} new, {self.organisations_updated} updated; "
            f"{len(self.warnings)} warnings"
        )


def _say(en: str, nb: str) -> str:
    """A message in the language problems are told in (:data:`ropa.errors.MESSAGE_LANG`)."""
    return nb if MESSAGE_LANG.get() == "nb" else en


# What Python's JSON decoder says (json.decoder, json.scanner; JSONDecodeError.msg, the place is
# in its line and column), in bokmål: a bokmål import tells every problem in bokmål
# (tests/test_import_words.py). Matched by the start of the message; one not listed stays as it is.
_JSON_NB = (
    ("Expecting value", "her skulle det stå en verdi"),
    ("Expecting property name enclosed in double quotes", "her skulle det stå et feltnavn i doble anførselstegn"),
    ("Expecting ':' delimiter", "her mangler kolon (:) etter feltnavnet"),
    ("Expecting ',' delimiter", "her mangler komma (,) mellom to elementer"),
    ("Unterminated string", "teksten som begynner her, har ikke noe avsluttende anførselstegn"),
    ("Invalid control character", "ugyldig kontrolltegn i en tekst (et linjeskift eller tabulatortegn må skrives \\n eller \\t)"),
    ("Invalid \\uXXXX escape", "ugyldig \\uXXXX-kode i en tekst"),
    ("Invalid \\escape", "ugyldig \\-kode i en tekst"),
    ("Extra data", "det står mer etter slutten av dokumentet"),
    ("Illegal trailing comma", "komma foran en avsluttende klamme"),
)


def _json_says_nb(message: str) -> str:
    """The JSON decoder's message in bokmål."""
    return next((nb for en, nb in _JSON_NB if message.startswith(en)), message)


def read_json(path: Union[str, Path]) -> Any:
    """Decode a JSON file, turning every way it can be unreadable into a Problem."""
    p = Path(path)
    if not p.is_file():
        raise ValidationFailed([Problem(str(p), "not_found", _say("no such file", "filen finnes ikke"))])
    if p.stat().st_size > MAX_JSON_BYTES:
        raise ValidationFailed(
            [Problem(str(p), "too_large", _say(f"the file is larger than {MAX_JSON_BYTES // 2**20} MB", f"filen er større enn {MAX_JSON_BYTES // 2**20} MB"))]
        )
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            [Problem(str(p), "not_utf8", _say(f"the file is not UTF-8 text (byte {exc.start})", f"filen er ikke UTF-8-tekst (byte {exc.start})"))]
        ) from None
    try:
        data = json.loads(text, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            [
                Problem(
                    (p.name, "line", exc.lineno, "column", exc.colno),
                    "bad_json",
                    _say(f"not valid JSON: {exc.msg}", f"ikke gyldig JSON: {_json_says_nb(exc.msg)}"),
                    where=f"{p.name}:{exc.lineno}:{exc.colno}",
                )
            ]
        ) from None
    except RecursionError:
        raise ValidationFailed(
            [
                Problem(
                    p.name,
                    "too_deep",
                    (
                        f"the JSON nests lists and objects deeper than can be read (about {sys.getrecursionlimit():,} levels; a register "
                        "needs fewer than 10) / JSON-filen har lister og objekter i for mange nivåer"
                    ),
                )
            ]
        ) from None
    huge = list(_huge_numbers(data, ()))
    if huge:
        raise ValidationFailed(
            [
                Problem(
                    where or (p.name,),
                    "number_too_long",
                    (f"a number with {digits:,} digits; at most {MAX_DIGITS} can be read / et tall med {digits:,} sifre; høyst {MAX_DIGITS} kan leses"),
                )
                for where, digits in huge[:100]
            ]
        )
    return data


MAX_DIGITS = 100  # an integer in a JSON file (Python refuses more than 4,300 with a bare ValueError)


class _HugeInt(int):
    """An integer written with more than :data:`MAX_DIGITS` digits, kept as its length only."""

    digits: int


def _int(text: str) -> int:
    if len(text.lstrip("-")) <= MAX_DIGITS:
        return int(text)
    marker = _HugeInt(0)
    marker.digits = len(text.lstrip("-"))
    return marker


def _huge_numbers(value: Any, where: tuple[PathPart, ...]) -> Iterator[tuple[tuple[PathPart, ...], int]]:
    """Where the document holds numbers too long to read, as JSON paths (``("organisations", 0, …)``)."""
    stack = [(value, where)]
    while stack:
        v, at = stack.pop()
        if isinstance(v, _HugeInt):
            yield at, v.digits
        elif isinstance(v, dict):
            stack.extend((item, at + (str(k),)) for k, item in reversed(v.items()))
        elif isinstance(v, list):
            stack.extend((item, at + (i,)) for i, item in reversed(list(enumerate(v))))


def import_document(session: Session, data: Any, *, actor: Union[str, access.Principal], source: str = "json", dry_run: bool = False) -> ImportReport:
    """Validate the whole document and upsert it in the caller's transaction, all or nothing.

    Organisations are validated and written one at a time, so only one organisation's models
    are in memory; once a problem is found nothing more is written, validation goes on to the
    end, and :class:`ValidationFailed` lists every problem. The caller's transaction
    (:func:`ropa.db.transaction`) then rolls back what earlier organisations wrote: nothing is
    committed. A dry run is rolled back by :mod:`ropa.imports` (the one door); the report is the same.
    """
    actor = access.require(session, actor, access.IMPORT)  # each organisation is checked as it comes
    problems, organisations = iter_organisations(data)
    report = ImportReport(source=source, dry_run=dry_run)
    tag = f"import:{source}"
    for oi, org_doc, found in organisations:
        problems += found
        if org_doc is None or any(p.severity == "error" for p in problems):
            continue
        problems += _import_organisation(session, org_doc, report, actor=actor, tag=tag, where=("organisations", oi))
        session.flush()
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationFailed(errors)
    report.warnings = [p for p in problems if p.severity == "warning"]
    return report


def _conflict(path: tuple[PathPart, ...], c: Conflict) -> Problem:
    return audit.conflict_problem("", c).replace(path=path)


def _import_organisation(
    session: Session, org_doc: OrganisationDoc, report: ImportReport, *, actor: str, tag: str, where: tuple[PathPart, ...]
) -> list[Problem]:
    """Upsert one organisation; returns the conflicts met (copies older than the register's
    record and edited since), one per record, so a dry run lists them all."""
    conflicts: list[Problem] = []
    access.require(session, actor, access.IMPORT, org_doc.name)
    org = lookup.find_organisation(session, org_doc.name)
    created = org is None
    if org is None:
        org = organisations.create_organisation(session, org_doc, actor=actor, source=tag)
        report.organisations_created += 1
    else:
        wanted = org_doc.model_dump(mode="json", exclude={"activities", "recipients"})
        current_org = organisations.organisation_dict(org)
        if current_org != wanted:
            try:
                if org_doc.version is not None and org_doc.version != org.version:
                    organisations.stale_organisation(session, org, wanted, org_doc.version)  # untouched: left alone
                else:
                    org = organisations.update_organisation(
                        session, org.name, org_doc, expected_version=org_doc.version or org.version, actor=actor, source=tag
                    )
                    report.organisations_updated += 1
            except Conflict as c:
                conflicts.append(_conflict(where, c))
    cache: dict[str, Recipient] = {}
    try:
        bulk.ensure_recipients(session, org, org_doc.recipients, actor=actor, source=tag, cache=cache)
    except Conflict as c:
        conflicts.append(_conflict(where + ("recipients",), c))
    # A new organisation has no activities yet: no need to ask.
    existing = {a.ref: a for a in activity_records.list_activities(session, org=org.name)} if org_doc.activities and not created else {}
    new, new_at = [], []
    for ai, act_doc in enumerate(org_doc.activities):
        key = f"{org.name}/{act_doc.ref}"
        current = existing.get(act_doc.ref)
        try:
            if current is None:
                new.append(act_doc)
                new_at.append(ai)
                report.created.append(key)
            elif activity_records.stale_activity(session, current, act_doc):
                # The file's copy is older than the register's record and untouched since: keep the newer one.
                report.kept.append(key)
            elif activity_records.update_activity(
                session, org.name, act_doc.ref, act_doc, expected_version=act_doc.version or current.version, actor=actor, source=tag, recipient_cache=cache
            ):
                report.updated.append(key)
            else:
                report.unchanged.append(key)
        except Conflict as c:
            conflicts.append(_conflict(where + ("activities", ai), c))
    # New activities go in with multi-row INSERTs: an import of thousands stays a bulk insert.
    try:
        bulk.ensure_recipients(session, org, [r for a in new for r in a.recipients], actor=actor, source=tag, cache=cache)
    except Conflict as c:
        at = next((ai for ai, a in zip(new_at, new) if any(r.name == c.key.split("/", 1)[-1] for r in a.recipients)), None)
        conflicts.append(_conflict(where + ("activities", at) if at is not None else where, c))
    if not conflicts:
        bulk.create_activities(session, org, new, actor=actor, source=tag, recipients=cache)
    return conflicts


__all__ = ["ImportReport", "RecipientDoc", "export_document", "import_document", "read_json", "write_json"]
