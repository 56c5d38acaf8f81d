"""Input checked against the format's models (:mod:`ropa.schema`): pydantic's errors turned into
:class:`~ropa.errors.Problem` values with JSON paths and words in both languages, the rules that
span records (an activity's fields together, names unique in a document), a whole document
parsed organisation by organisation, and the published JSON Schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional, Union

from pydantic import ValidationError

from ropa import vocab
from ropa.errors import MESSAGE_LANG, PathPart, Problem, render_path
from ropa.schema import MAX_RETENTION, ActivityDoc, OrganisationDoc, RecipientDoc, RegisterDocument

Prefix = Union[str, tuple[PathPart, ...]]


def _prefix(prefix: Prefix) -> tuple[PathPart, ...]:
    """A path to put before a problem's own: a tuple, or a field's name given as text ("" for none)."""
    if isinstance(prefix, str):
        return (prefix,) if prefix else ()
    return tuple(prefix)


# pydantic's messages in bokmål, by error type; {name} takes the error's context (limits, expected values).
_NB: dict[str, str] = {
    "missing": "er påkrevd",
    "extra_forbidden": "er ikke et felt i dette formatet",
    "string_type": "må være tekst",
    "string_unicode": "må være tekst",
    "string_too_short": "må ha minst {min_length} tegn",
    "string_too_long": "kan ha høyst {max_length} tegn",
    "string_pattern_mismatch": "har ikke gyldig form",
    "int_type": "må være et heltall",
    "int_parsing": "må være et heltall",
    "int_from_float": "må være et heltall",
    "int_parsing_size": "er et for stort tall",
    "float_type": "må være et tall",
    "float_parsing": "må være et tall",
    "bool_type": "må være ja eller nei (true/false)",
    "bool_parsing": "må være ja eller nei (true/false)",
    "date_type": "må være en gyldig dato (ÅÅÅÅ-MM-DD)",
    "date_parsing": "må være en gyldig dato (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "må være en gyldig dato (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_inexact": "må være en dato uten klokkeslett",
    "datetime_type": "må være et gyldig tidspunkt",
    "datetime_parsing": "må være et gyldig tidspunkt",
    "list_type": "må være en liste",
    "dict_type": "må være et objekt",
    "model_type": "må være et objekt",
    "model_attributes_type": "må være et objekt",
    "literal_error": "må være en av: {expected}",
    "enum": "må være en av: {expected}",
    "greater_than": "må være større enn {gt}",
    "greater_than_equal": "må være minst {ge}",
    "less_than": "må være mindre enn {lt}",
    "less_than_equal": "kan være høyst {le}",
    "too_long": "har for mange elementer (høyst {max_length})",
    "too_short": "har for få elementer (minst {min_length})",
    "none_required": "må være tom",
    "json_invalid": "er ikke gyldig JSON",
    "unknown_country": "'{value}' er ikke en ISO 3166-landkode",
    "unknown_code": "'{value}' er ikke en gyldig kode for {what} (gyldige: {shown})",
}


def _nb_message(err: Any) -> Optional[str]:
    template = _NB.get(err["type"])
    if template is None:
        return None
    values = {**(err.get("ctx") or {})}
    values.setdefault("value", err.get("input"))
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template.split(" {")[0] if "{" in template else template


def problems_from_validation(exc: ValidationError, prefix: Prefix = "", lang: Optional[str] = None) -> list[Problem]:
    """pydantic's errors as problems at JSON paths (``prefix`` before each), in ``lang`` (default: the
    language of the run under way)."""
    nb = (lang or MESSAGE_LANG.get()) == "nb"
    problems = []
    base = _prefix(prefix)
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        msg = (_nb_message(err) if nb else None) or err["msg"]
        code = err["type"]
        ctx = err.get("ctx") or {}
        if code == "unknown_code" and isinstance(ctx.get("index"), int):  # a list-level check naming the item
            loc += [ctx["index"], "code"]
        elif code == "missing":
            msg = "er påkrevd" if nb else "is required"
        elif code == "nul_character" and "field" in (err.get("ctx") or {}):
            loc.append(err["ctx"]["field"])  # raised for the model: name the field
        elif code == "extra_forbidden":
            msg = "er ikke et felt i dette formatet" if nb else "is not a field of this format"
        elif code == "string_pattern_mismatch" and loc and loc[-1] == "ref":
            msg = (
                f"'{err['input']}' er ikke en gyldig referanse (bokstaver, sifre, . _ / -; høyst 40)"
                if nb
                else f"'{err['input']}' is not a valid reference (letters, digits, . _ / -; at most 40)"
            )
        elif code in {"literal_error"} and loc == ["format"]:
            msg = (
                f"dette er ikke et ropa-register-dokument (format er {err['input']!r})"
                if nb
                else f"this is not a ropa-register document (format is {err['input']!r})"
            )
        path = base + tuple(loc)
        problems.append(Problem(path, code, msg, field=_field_of(path)))
    return problems


def _field_of(path: tuple[PathPart, ...]) -> Optional[str]:
    """The key of :mod:`ropa.fields` a path is about, where it names one (``retention.period``, ``transfers``, ``dpo.email``)."""
    from ropa.fields import ACTIVITY, ORGANISATION

    names = [p for p in path if isinstance(p, str)]
    tables: tuple[dict[str, Any], ...]
    if "activities" in names:
        names, tables = names[names.index("activities") + 1 :], (ACTIVITY,)
    elif names[:1] == ["organisations"]:
        names, tables = names[1:], (ORGANISATION,)
    else:  # one record validated on its own (the editor's activity or organisation)
        tables = (ACTIVITY, ORGANISATION)
    for table in tables:
        for n in range(len(names), 0, -1):
            if ".".join(names[:n]) in table:
                return ".".join(names[:n])
    return None


def _say(en: str, nb: str) -> str:
    return nb if MESSAGE_LANG.get() == "nb" else en


def _problem(path: tuple[PathPart, ...], code: str, message: str, severity: str = "error") -> Problem:
    return Problem(path, code, message, severity, field=_field_of(path))


def activity_problems(act: ActivityDoc, where: Prefix = "") -> list[Problem]:
    """Rules that span fields of one activity (``where``: the activity's path in its document)."""
    at = _prefix(where)
    problems: list[Problem] = []
    names = [r.name for r in act.recipients]
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            problems.append(
                _problem(at + ("recipients", i, "name"), "duplicate", _say(f"recipient '{name}' is listed twice", f"mottakeren '{name}' står to ganger"))
            )
        seen.add(name)
    for i, t in enumerate(act.transfers):
        tw = at + ("transfers", i)
        if not t.country and not t.international_organisation:
            problems.append(
                _problem(
                    tw + ("country",),
                    "missing",
                    _say(
                        "a transfer needs a destination country or an international organisation",
                        "en overføring må ha et mottakerland eller en internasjonal organisasjon",
                    ),
                )
            )
        if t.recipient and t.recipient not in seen:
            problems.append(
                _problem(
                    tw + ("recipient",),
                    "unknown_recipient",
                    _say(
                        f"'{t.recipient}' is not one of this activity's recipients",
                        f"'{t.recipient}' er ikke en av mottakerne til denne behandlingsaktiviteten",
                    ),
                )
            )
    r = act.retention
    if r.period is not None and not r.unit:
        problems.append(
            _problem(
                at + ("retention", "unit"),
                "missing",
                _say("a retention period needs a unit (days, months or years)", "en lagringstid trenger en enhet (dager, måneder eller år)"),
            )
        )
    if r.period is not None and r.unit in MAX_RETENTION and r.period > MAX_RETENTION[r.unit]:
        problems.append(
            _problem(
                at + ("retention", "period"),
                "out_of_range",
                _say(
                    f"a retention period of {r.period} {r.unit} is more than 1,000 years (at most {MAX_RETENTION[r.unit]:,} {r.unit})",
                    f"en lagringstid på {r.period} {r.unit} er mer enn 1 000 år (høyst {MAX_RETENTION[r.unit]:,} {r.unit})",
                ),
            )
        )
    if r.unit and r.period is None:
        problems.append(
            _problem(at + ("retention", "period"), "missing", _say("a retention unit needs a period", "en enhet for lagringstid trenger et antall"))
        )
    if act.role in {"processor", "joint_controller"} and not act.controllers:
        problems.append(
            _problem(
                at + ("controllers",),
                "missing",
                _say(
                    f"an activity with role {act.role} must name the controller(s) it acts for or with",
                    f"en behandlingsaktivitet med rollen {vocab.ROLES[act.role].display('nb')} må nevne den eller "
                    "de behandlingsansvarlige den handler for eller sammen med",
                ),
                severity="warning",
            )
        )
    return problems


def document_problems(doc: RegisterDocument) -> list[Problem]:
    """Rules that span records: unique names and refs, one definition per recipient."""
    problems: list[Problem] = []
    org_names: dict[str, int] = {}
    for oi, org in enumerate(doc.organisations):
        problems += organisation_problems(org, oi, org_names)
    return problems


def organisation_problems(org: OrganisationDoc, oi: int, org_names: dict[str, int]) -> list[Problem]:
    """The cross-record rules of one organisation (``org_names``: the names seen before it,
    casefolded, to their index; updated here)."""
    problems: list[Problem] = []
    ow: tuple[PathPart, ...] = ("organisations", oi)
    key = org.name.casefold()
    if key in org_names:
        problems.append(
            _problem(
                ow + ("name",),
                "duplicate",
                _say(
                    f"organisation '{org.name}' appears twice (also organisations[{org_names[key]}])",
                    f"virksomheten '{org.name}' står to ganger (også organisations[{org_names[key]}])",
                ),
            )
        )
    org_names.setdefault(key, oi)
    refs: dict[str, int] = {}
    recipients: dict[str, tuple[tuple[PathPart, ...], RecipientDoc]] = {}
    for ri, rec in enumerate(org.recipients):
        if rec.name in recipients:
            problems.append(
                _problem(
                    ow + ("recipients", ri, "name"), "duplicate", _say(f"recipient '{rec.name}' is listed twice", f"mottakeren '{rec.name}' står to ganger")
                )
            )
        recipients.setdefault(rec.name, (ow + ("recipients", ri), rec))
    for ai, act in enumerate(org.activities):
        aw = ow + ("activities", ai)
        if act.ref in refs:
            problems.append(
                _problem(
                    aw + ("ref",),
                    "duplicate",
                    _say(
                        f"ref '{act.ref}' is used twice in '{org.name}' (also activities[{refs[act.ref]}])",
                        f"referansen '{act.ref}' er brukt to ganger hos '{org.name}' (også activities[{refs[act.ref]}])",
                    ),
                )
            )
        refs.setdefault(act.ref, ai)
        problems += activity_problems(act, aw)
        for ri, rec in enumerate(act.recipients):
            rw = aw + ("recipients", ri)
            if rec.name in recipients:
                first_at, first = recipients[rec.name]
                for fld in ("kind", "country", "agreement"):
                    if getattr(first, fld) != getattr(rec, fld):
                        problems.append(
                            _problem(
                                rw + (fld,),
                                "conflict",
                                _say(
                                    f"recipient '{rec.name}' has {fld} {getattr(rec, fld)!r} here but {getattr(first, fld)!r} at {render_path(first_at)}",
                                    f"mottakeren '{rec.name}' har {_recipient_label(fld)} {getattr(rec, fld)!r} her, men "
                                    f"{getattr(first, fld)!r} i {render_path(first_at)}",
                                ),
                            )
                        )
            else:
                recipients[rec.name] = (rw, rec)
    return problems


class ActivityJSON(bytes):
    """An activity given as its JSON text (UTF-8), validated straight from it by pydantic's own
    parser: the workbook import's rows that still show what was exported (their hidden
    ``ropa:json``) are never decoded into Python dicts, which halves an import's memory. Bytes,
    not str: pydantic reading a str leaves a UTF-8 copy cached inside it for as long as the
    string lives (2 KB more per activity held). Only the importer makes these; a string in a
    JSON file is an error as before."""

    __slots__ = ()

    @classmethod
    def of(cls, text: str) -> ActivityJSON:
        return cls(text.encode("utf-8", "surrogatepass"))  # a stray surrogate fails as bad JSON, named by its row


def _validate_activities(raw: list[Any], where: tuple[PathPart, ...]) -> tuple[list[ActivityDoc], list[Problem]]:
    docs, problems = [], []
    for ai, item in enumerate(raw):
        try:
            docs.append(ActivityDoc.model_validate_json(item) if isinstance(item, ActivityJSON) else ActivityDoc.model_validate(item))
        except ValidationError as exc:
            problems += problems_from_validation(exc, where + ("activities", ai))
    return docs, problems


def _recipient_label(key: str) -> str:
    """A recipient field's label in bokmål, as a message names it ("type mottaker")."""
    from ropa.fields import RECIPIENT, label

    return label(key, "nb", RECIPIENT).lower()


def _not_a_document() -> str:
    return _say("the file is not a ropa-register document (expected a JSON object)", "filen er ikke et ropa-register-dokument (et JSON-objekt var ventet)")


def iter_organisations(data: Any) -> tuple[list[Problem], Any]:
    """Check a decoded document's envelope (format, version, the organisations list) and return
    its problems and an iterator of ``(index, OrganisationDoc | None, problems)``, validating one
    organisation at a time, so a large register never holds all its models at once."""
    if not isinstance(data, dict):
        return [Problem((), "not_a_document", _not_a_document())], iter(())
    organisations = data.get("organisations", [])
    try:
        RegisterDocument.model_validate({**data, "organisations": []})
    except ValidationError as exc:
        return problems_from_validation(exc), iter(())
    if not isinstance(organisations, list):
        return [Problem(("organisations",), "list_type", _say("must be a list of organisations", "må være en liste over virksomheter"))], iter(())

    def each() -> Iterator[tuple[int, Optional[OrganisationDoc], list[Problem]]]:
        names: dict[str, int] = {}
        for oi, raw in enumerate(organisations):
            where: tuple[PathPart, ...] = ("organisations", oi)
            activities = raw.get("activities") if isinstance(raw, dict) else None
            problems: list[Problem] = []
            if isinstance(activities, list):  # validated one by one (some may be ActivityJSON text)
                docs, problems = _validate_activities(activities, where)
                raw = {**raw, "activities": []}
            try:
                org = OrganisationDoc.model_validate(raw)
            except ValidationError as exc:
                yield oi, None, problems_from_validation(exc, where) + problems
                continue
            if problems:
                yield oi, None, problems
                continue
            if isinstance(activities, list):
                org.activities = docs
            yield oi, org, organisation_problems(org, oi, names)

    return [], each()


def parse_document(data: Any) -> tuple[Optional[RegisterDocument], list[Problem]]:
    """Validate a decoded JSON value; return the document (if it parsed) and every problem."""
    if not isinstance(data, dict):
        return None, [Problem((), "not_a_document", _not_a_document())]
    try:
        doc = RegisterDocument.model_validate(data)
    except ValidationError as exc:
        return None, problems_from_validation(exc)
    return doc, document_problems(doc)


_ENUMS: dict[tuple[str, str], Any] = {
    ("ActivityDoc", "role"): lambda: vocab.ROLES,
    ("ActivityDoc", "status"): lambda: vocab.STATUSES,
    ("RecipientDoc", "kind"): lambda: vocab.RECIPIENT_KINDS,
    ("TransferDoc", "mechanism"): lambda: vocab.MECHANISMS,
    ("RetentionDoc", "unit"): lambda: vocab.RETENTION_UNITS,
    ("RetentionDoc", "action"): lambda: vocab.RETENTION_ACTIONS,
    ("DpiaDoc", "status"): lambda: vocab.DPIA_STATUSES,
    ("TransparencyDoc", "collection"): lambda: vocab.COLLECTION,
    ("TransparencyDoc", "provision"): lambda: vocab.PROVISION_REQUIREMENTS,
}


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the format, generated from the models (published in ``schema/``).

    Coded fields get their vocabulary as an ``enum``, so other tools can validate codes too.
    """
    schema = RegisterDocument.model_json_schema()
    defs = schema["$defs"]
    for (model, prop), codes in _ENUMS.items():
        target = defs[model]["properties"][prop]
        options = target.get("anyOf", [target])
        for option in options:
            if option.get("type") == "string":
                option["enum"] = list(codes())
    basis = defs["Basis"]["properties"]["code"]
    basis["description"] = "art6_1_a … art6_1_f in legal_bases; art9_2_a … art9_2_j in art9_conditions"
    for option in basis.get("anyOf", [basis]):
        if option.get("type") == "string":
            option["pattern"] = "^art(6_1_[a-f]|9_2_[a-j])$"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/ropa-registry/ropa/schema/ropa-register.schema.json"
    schema["title"] = "ropa-register"
    return schema
