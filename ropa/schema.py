"""The register's JSON interchange format (``ropa-register`` version 1) as pydantic models.

These models are the public contract of ``python -m ropa export/import FILE.json`` and the
input models every write goes through: SQLModel table classes do not validate, so the
registry validates with these first and only then builds rows. Fields may be added in later
versions; none are renamed. ``schema/ropa-register.schema.json`` is generated from here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Annotated, Any, ClassVar, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ropa import vocab
from ropa.errors import MESSAGE_LANG, PathPart, Problem, render_path

FORMAT_NAME = "ropa-register"
FORMAT_VERSION = 1
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$"
MAX_VERSION = 2**31 - 1  # a record's version counter: an INTEGER column on both databases
# A retention period of at most 1,000 years, in its unit (an INTEGER column on both databases).
MAX_RETENTION = {"days": 366_000, "months": 12_000, "years": 1_000}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def normalise_name(value: str) -> str:
    """The one form a name is stored and compared in: Unicode NFC, every run of whitespace
    (non-breaking space, tab, newline, double space) one space, trimmed. Every sheet of the
    workbook, the JSON import and every lookup use it, so a name always finds itself again."""
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


def _clean_text(value: Any) -> Any:
    """Trim text; an empty string means 'not given'."""
    if isinstance(value, str):
        if "\x00" in value:
            raise PydanticCustomError("nul_character", "contains a NUL character (U+0000), which cannot be stored")
        value = value.strip()
        return value or None
    return value


def _clean_name(value: Any) -> Any:
    """A name (organisation, activity, recipient): :func:`normalise_name`, and no control
    characters: the workbook cannot hold them, so a name with one would come back different."""
    if isinstance(value, str):
        value = normalise_name(_clean_text(value) or "")
        bad = _CONTROL.search(value)
        if bad:
            raise PydanticCustomError("control_character",
                                      "contains a control character (U+{code}), which a name cannot hold",
                                      {"code": f"{ord(bad.group()):04X}"})
        return value or None
    return value


# Optional text: trimmed (the models' str_strip_whitespace), and empty means 'not given'. A list
# of text: items trimmed, empty ones dropped, null is an empty list. Both are done by each model's
# _blank_is_none, one call per model rather than one per field: these per-field calls were a
# third of the time pydantic took to validate 10,000 activities.
Text = Optional[str]
TextList = Optional[list[str]]  # never None once validated


def _check_code(value: Optional[str], codes: Iterable[str], what: str, *, required: bool = True) -> Optional[str]:
    if not value:  # None or empty (field validators run before the model turns "" into None)
        if required:
            raise PydanticCustomError("missing", "{what} is required", {"what": what})
        return None
    if value not in codes:
        codes = list(codes)
        shown = ", ".join(codes) if len(codes) <= 8 else f"{codes[0]} … {codes[-1]}"
        raise PydanticCustomError(
            "unknown_code", "'{value}' is not a {what} (expected one of {shown})",
            {"value": value, "what": what, "shown": shown},
        )
    return value


def _check_country(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    if vocab.is_country(value.upper()):
        return value.upper()
    if not vocab.is_country(value):
        raise PydanticCustomError(
            "unknown_country", "'{value}' is not an ISO 3166 country code", {"value": value}
        )
    return value


Country = Annotated[Optional[str], AfterValidator(_check_country)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    _blank_fields: ClassVar[tuple[str, ...]] = ()
    _list_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._blank_fields = tuple(k for k, f in cls.model_fields.items() if f.annotation == Text)
        cls._list_fields = tuple(k for k, f in cls.model_fields.items() if f.annotation == TextList)

    @model_validator(mode="after")
    def _blank_is_none(self) -> Any:
        """Optional text that is empty (after trimming) is not given; nor is an empty list item.
        No text may hold a NUL: SQLite would store it and PostgreSQL refuse it."""
        values = self.__dict__
        for key in self._blank_fields:
            value = values[key]
            if value == "":
                values[key] = None
            elif value is not None and "\x00" in value:
                raise _nul(key)
        for key in self._list_fields:
            items = values[key]
            if items is None:
                values[key] = []
            else:
                if "" in items:
                    values[key] = items = [x for x in items if x]
                for x in items:
                    if "\x00" in x:
                        raise _nul(key)
        return self


def _nul(key: str) -> PydanticCustomError:
    return PydanticCustomError("nul_character", "contains a NUL character (U+0000), which cannot be stored", {"field": key})


# The version of the record a copy was read at (JSON export, workbook): optional on input, and
# never part of the record's content (left out of dumps, comparisons and the audit trail).
Version = Optional[int]


def _version() -> Any:
    return Field(default=None, ge=1, le=MAX_VERSION, exclude=True)


class Dpo(_Model):
    """The data protection officer's contact details (Art. 30(1)(a), Art. 37)."""

    name: Text = None
    email: Text = None
    phone: Text = None


class Representative(_Model):
    """The EU representative under Art. 27, for a controller or processor outside the EEA."""

    name: Text = None
    address: Text = None
    country: Country = None
    email: Text = None


class Basis(_Model):
    """A legal basis or Art. 9(2) condition, with the justification (e.g. the LIA reference)."""

    code: Text
    note: Text = None
    documentation: Text = None  # where the justification is kept: the LIA, the consent record, the law


class RecipientDoc(_Model):
    """A recipient or category of recipients (Art. 30(1)(d))."""

    name: Annotated[str, BeforeValidator(_clean_name)]
    kind: Text = "other"
    country: Country = None
    agreement: Text = None
    version: Version = _version()

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: Optional[str]) -> Optional[str]:
        return _check_code(v or "other", vocab.RECIPIENT_KINDS, "recipient kind")


class TransferDoc(_Model):
    """A transfer to a third country or international organisation (Art. 30(1)(e))."""

    country: Country = None
    international_organisation: Text = None
    recipient: Text = None
    mechanism: Text = "unknown"
    safeguard: Text = None
    tia_date: Optional[date] = None
    frequency: Text = None
    adequacy_scope_confirmed: bool = False
    note: Text = None

    @field_validator("recipient")
    @classmethod
    def _recipient(cls, v: Optional[str]) -> Optional[str]:
        return _clean_name(v)  # named as the recipient's own name is

    @field_validator("mechanism")
    @classmethod
    def _mechanism(cls, v: Optional[str]) -> Optional[str]:
        return _check_code(v or "unknown", vocab.MECHANISMS, "transfer mechanism code")

    @field_validator("frequency")
    @classmethod
    def _frequency(cls, v: Optional[str]) -> Optional[str]:
        return _check_code(v, vocab.TRANSFER_FREQUENCIES, "transfer frequency", required=False)


class RetentionDoc(_Model):
    """When the data are erased (Art. 30(1)(f)): a structured rule plus the original words."""

    period: Optional[int] = Field(default=None, ge=0, le=max(MAX_RETENTION.values()))
    unit: Text = None
    trigger: Text = None
    action: Text = None
    text: Text = None

    @field_validator("unit")
    @classmethod
    def _unit(cls, v: Optional[str]) -> Optional[str]:
        return _check_code(v, vocab.RETENTION_UNITS, "retention unit", required=False)

    @field_validator("action")
    @classmethod
    def _action(cls, v: Optional[str]) -> Optional[str]:
        return _check_code(v, vocab.RETENTION_ACTIONS, "retention action", required=False)


class ScreeningAnswer(_Model):
    """One answer of the DPIA screening: yes/no (null = not answered) and why."""

    answer: Optional[bool] = None
    note: Text = None


class DpiaDoc(_Model):
    """Whether a data protection impact assessment (Art. 35) is done, where it is, and the
    screening that decides whether one is needed (WP248 criteria and Art. 35(3) cases)."""

    status: Text = "not_assessed"
    ref: Text = None
    screening: dict[str, ScreeningAnswer] = {}

    @field_validator("screening")
    @classmethod
    def _screening(cls, v: dict[str, ScreeningAnswer]) -> dict[str, ScreeningAnswer]:
        if not v:
            return v
        for key in v:
            _check_code(key, vocab.DPIA_CRITERIA, "DPIA screening criterion")
        # Keep only what was answered or explained, in the vocabulary's order, so equal
        # screenings compare and export equal.
        return {k: v[k] for k in vocab.DPIA_CRITERIA if k in v and (v[k].answer is not None or v[k].note)}

    @field_validator("status")
    @classmethod
    def _status(cls, v: Optional[str]) -> Optional[str]:
        return _check_code(v or "not_assessed", vocab.DPIA_STATUSES, "DPIA status")


class TransparencyDoc(_Model):
    """What privacy notices (Art. 13 and 14) need that Art. 30 does not ask for."""

    collection: Text = None  # subject (Art. 13) | elsewhere (Art. 14) | both
    sources_public: Optional[bool] = None  # Art. 14(2)(f): whether the data came from publicly accessible sources
    provision: Text = None  # Art. 13(2)(e): statutory | contractual | contract_precondition | voluntary
    provision_consequences: Text = None  # what happens if the person does not provide the data
    automated_decisions: Optional[bool] = None  # Art. 13(2)(f), 22: decisions based solely on automated processing
    automated_logic: Text = None  # meaningful information about the logic, significance and consequences

    @field_validator("collection")
    @classmethod
    def _collection(cls, v: Optional[str]) -> Optional[str]:
        return _check_code(v, vocab.COLLECTION, "collection (subject, elsewhere, both)", required=False)

    @field_validator("provision")
    @classmethod
    def _provision(cls, v: Optional[str]) -> Optional[str]:
        return _check_code(v, vocab.PROVISION_REQUIREMENTS, "provision requirement", required=False)


TRANSPARENCY_KEYS = tuple(TransparencyDoc.model_fields)


def transparency_dict(stored: Optional[dict[str, Any]]) -> dict[str, Any]:
    """A stored ``transparency`` column in the format's shape (every key, missing ones null)."""
    stored = stored or {}
    return {k: stored.get(k) for k in TRANSPARENCY_KEYS}


class ActivityDoc(_Model):
    """A processing activity with everything Art. 30(1) and 30(2) ask for."""

    ref: Annotated[str, BeforeValidator(_clean_text), Field(pattern=REF_PATTERN)]
    name: Annotated[str, BeforeValidator(_clean_name)]
    version: Version = _version()
    description: Text = None
    role: Text = "controller"
    controllers: TextList = []
    status: Text = "active"
    owner: Text = None
    purposes: TextList = []
    legal_bases: list[Basis] = []
    special_categories: TextList = []
    art9_conditions: list[Basis] = []
    criminal_data: bool = False
    criminal_data_basis: Text = None
    no_recipients: bool = False  # Art. 30(1)(d): the data are disclosed to no one
    data_subjects: TextList = []
    data_categories: TextList = []
    sources: TextList = []
    recipients: list[RecipientDoc] = []
    transfers: list[TransferDoc] = []
    retention: RetentionDoc = Field(default_factory=RetentionDoc)
    security_measures: TextList = []
    systems: TextList = []
    dpia: DpiaDoc = Field(default_factory=DpiaDoc)
    last_review: Optional[date] = None
    next_review: Optional[date] = None
    transparency: TransparencyDoc = Field(default_factory=TransparencyDoc)

    @field_validator("role")
    @classmethod
    def _role(cls, v: Optional[str]) -> Optional[str]:
        return _check_code(v or "controller", vocab.ROLES, "role")

    @field_validator("status")
    @classmethod
    def _status(cls, v: Optional[str]) -> Optional[str]:
        return _check_code(v or "active", vocab.STATUSES, "status")

    @field_validator("legal_bases")
    @classmethod
    def _legal_bases(cls, v: list[Basis]) -> list[Basis]:
        for i, b in enumerate(v):
            try:
                _check_code(b.code, vocab.LEGAL_BASES, "legal basis code")
            except PydanticCustomError as e:  # the item's index travels in the context, not in the words
                raise PydanticCustomError("unknown_code", e.message_template, {**(e.context or {}), "index": i}) from None
        return v

    @field_validator("art9_conditions")
    @classmethod
    def _art9(cls, v: list[Basis]) -> list[Basis]:
        for i, b in enumerate(v):
            try:
                _check_code(b.code, vocab.ART9_CONDITIONS, "Art. 9(2) condition code")
            except PydanticCustomError as e:  # the item's index travels in the context, not in the words
                raise PydanticCustomError("unknown_code", e.message_template, {**(e.context or {}), "index": i}) from None
        return v


class OrganisationDoc(_Model):
    @field_validator("public_fields")
    @classmethod
    def _public_fields(cls, v: Optional[list[str]]) -> Optional[list[str]]:
        from ropa.documents.fields import PUBLISHABLE

        for i, key in enumerate(v or []):
            if key and key not in PUBLISHABLE:
                raise PydanticCustomError("unknown_code", "item {i}: '{key}' is not a field that can be published (expected one of {shown})",
                                          {"i": i, "key": key, "shown": ", ".join(PUBLISHABLE)})
        return v


    """A controller or processor with its contacts, DPO, representative and activities."""

    name: Annotated[str, BeforeValidator(_clean_name)]
    version: Version = _version()
    org_number: Text = None
    country: Country = None
    address: Text = None
    email: Text = None
    phone: Text = None
    website: Text = None
    supervisory_authority: Text = None
    public_authority: bool = False
    establishments: list[Country] = []  # Art. 3(1): further countries where it is established
    offers_to_eea: bool = False  # Art. 3(2)(a)
    monitors_eea: bool = False  # Art. 3(2)(b)
    occasional_processing: bool = False  # Art. 27(2)(a), 30(5): occasional and unlikely to result in a risk
    fewer_than_250: bool = False  # Art. 30(5)
    art30_5_assessment: Text = None  # why the processing is occasional and low-risk (Art. 30(5))
    dpo: Optional[Dpo] = None
    representative: Optional[Representative] = None
    public_fields: TextList = []  # fields published by `ropa publish` (empty: the default set)
    recipients: list[RecipientDoc] = []  # recipients no activity uses (yet); the rest sit on activities
    activities: list[ActivityDoc] = []

    @field_validator("establishments")
    @classmethod
    def _establishments(cls, v: list[Optional[str]]) -> list[str]:
        return [c for c in dict.fromkeys(v) if c]  # once each, in the order given


class RegisterDocument(_Model):
    """The whole register: ``{"format": "ropa-register", "version": 1, "organisations": [...]}``."""

    format: Literal["ropa-register"]
    version: Literal[1]
    organisations: list[OrganisationDoc] = []


# ---------------------------------------------------------------------------------------------
# Turning pydantic's errors and cross-record rules into Problems with JSON paths


Prefix = Union[str, tuple[PathPart, ...]]


def _prefix(prefix: Prefix) -> tuple[PathPart, ...]:
    """A path to put before a problem's own: a tuple, or a field's name given as text ("" for none)."""
    if isinstance(prefix, str):
        return (prefix,) if prefix else ()
    return tuple(prefix)


# pydantic's messages in bokmål, by error type; {name} takes the error's context (limits, expected values).
_NB: dict[str, str] = {
    "missing": "er påkrevd", "extra_forbidden": "er ikke et felt i dette formatet",
    "string_type": "må være tekst", "string_unicode": "må være tekst", "string_too_short": "må ha minst {min_length} tegn",
    "string_too_long": "kan ha høyst {max_length} tegn", "string_pattern_mismatch": "har ikke gyldig form",
    "int_type": "må være et heltall", "int_parsing": "må være et heltall", "int_from_float": "må være et heltall",
    "int_parsing_size": "er et for stort tall", "float_type": "må være et tall", "float_parsing": "må være et tall",
    "bool_type": "må være ja eller nei (true/false)", "bool_parsing": "må være ja eller nei (true/false)",
    "date_type": "må være en gyldig dato (ÅÅÅÅ-MM-DD)", "date_parsing": "må være en gyldig dato (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "må være en gyldig dato (ÅÅÅÅ-MM-DD)", "date_from_datetime_inexact": "må være en dato uten klokkeslett",
    "datetime_type": "må være et gyldig tidspunkt", "datetime_parsing": "må være et gyldig tidspunkt",
    "list_type": "må være en liste", "dict_type": "må være et objekt", "model_type": "må være et objekt",
    "model_attributes_type": "må være et objekt", "literal_error": "må være en av: {expected}", "enum": "må være en av: {expected}",
    "greater_than": "må være større enn {gt}", "greater_than_equal": "må være minst {ge}", "less_than": "må være mindre enn {lt}",
    "less_than_equal": "kan være høyst {le}", "too_long": "har for mange elementer (høyst {max_length})",
    "too_short": "har for få elementer (minst {min_length})", "none_required": "må være tom", "json_invalid": "er ikke gyldig JSON",
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
            msg = (f"'{err['input']}' er ikke en gyldig referanse (bokstaver, sifre, . _ / -; høyst 40)" if nb else
                   f"'{err['input']}' is not a valid reference (letters, digits, . _ / -; at most 40)")
        elif code in {"literal_error"} and loc == ["format"]:
            msg = (f"dette er ikke et ropa-register-dokument (format er {err['input']!r})" if nb else
                   f"this is not a ropa-register document (format is {err['input']!r})")
        path = base + tuple(loc)
        problems.append(Problem(path, code, msg, field=_field_of(path)))
    return problems


def _field_of(path: tuple[PathPart, ...]) -> Optional[str]:
    """The key of :mod:`ropa.fields` a path is about, where it names one (``retention.period``, ``transfers``, ``dpo.email``)."""
    from ropa.fields import ACTIVITY, ORGANISATION

    names = [p for p in path if isinstance(p, str)]
    tables: tuple[dict[str, Any], ...]
    if "activities" in names:
        names, tables = names[names.index("activities") + 1:], (ACTIVITY,)
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
            problems.append(_problem(at + ("recipients", i, "name"), "duplicate",
                                     _say(f"recipient '{name}' is listed twice", f"mottakeren '{name}' står to ganger")))
        seen.add(name)
    for i, t in enumerate(act.transfers):
        tw = at + ("transfers", i)
        if not t.country and not t.international_organisation:
            problems.append(_problem(tw + ("country",), "missing", _say(
                "a transfer needs a destination country or an international organisation",
                "en overføring må ha et mottakerland eller en internasjonal organisasjon")))
        if t.recipient and t.recipient not in seen:
            problems.append(_problem(tw + ("recipient",), "unknown_recipient", _say(
                f"'{t.recipient}' is not one of this activity's recipients",
                f"'{t.recipient}' er ikke en av mottakerne til denne behandlingsaktiviteten")))
    r = act.retention
    if r.period is not None and not r.unit:
        problems.append(_problem(at + ("retention", "unit"), "missing", _say(
            "a retention period needs a unit (days, months or years)", "en lagringstid trenger en enhet (dager, måneder eller år)")))
    if r.period is not None and r.unit in MAX_RETENTION and r.period > MAX_RETENTION[r.unit]:
        problems.append(_problem(at + ("retention", "period"), "out_of_range", _say(
            f"a retention period of {r.period} {r.unit} is more than 1,000 years (at most {MAX_RETENTION[r.unit]:,} {r.unit})",
            f"en lagringstid på {r.period} {r.unit} er mer enn 1 000 år (høyst {MAX_RETENTION[r.unit]:,} {r.unit})")))
    if r.unit and r.period is None:
        problems.append(_problem(at + ("retention", "period"), "missing", _say(
            "a retention unit needs a period", "en enhet for lagringstid trenger et antall")))
    if act.role in {"processor", "joint_controller"} and not act.controllers:
        problems.append(_problem(at + ("controllers",), "missing",
                                 f"an activity with role {act.role} must name the controller(s) it acts for or with",
                                 severity="warning"))
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
        problems.append(_problem(ow + ("name",), "duplicate",
                                 f"organisation '{org.name}' appears twice (also organisations[{org_names[key]}])"))
    org_names.setdefault(key, oi)
    refs: dict[str, int] = {}
    recipients: dict[str, tuple[tuple[PathPart, ...], RecipientDoc]] = {}
    for ri, rec in enumerate(org.recipients):
        if rec.name in recipients:
            problems.append(_problem(ow + ("recipients", ri, "name"), "duplicate", f"recipient '{rec.name}' is listed twice"))
        recipients.setdefault(rec.name, (ow + ("recipients", ri), rec))
    for ai, act in enumerate(org.activities):
        aw = ow + ("activities", ai)
        if act.ref in refs:
            problems.append(_problem(aw + ("ref",), "duplicate",
                                     f"ref '{act.ref}' is used twice in '{org.name}' (also activities[{refs[act.ref]}])"))
        refs.setdefault(act.ref, ai)
        problems += activity_problems(act, aw)
        for ri, rec in enumerate(act.recipients):
            rw = aw + ("recipients", ri)
            if rec.name in recipients:
                first_at, first = recipients[rec.name]
                for fld in ("kind", "country", "agreement"):
                    if getattr(first, fld) != getattr(rec, fld):
                        problems.append(_problem(rw + (fld,), "conflict",
                            f"recipient '{rec.name}' has {fld} {getattr(rec, fld)!r} here but "
                            f"{getattr(first, fld)!r} at {render_path(first_at)}"))
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


def iter_organisations(data: Any) -> tuple[list[Problem], Any]:
    """Check a decoded document's envelope (format, version, the organisations list) and return
    its problems and an iterator of ``(index, OrganisationDoc | None, problems)``, validating one
    organisation at a time, so a large register never holds all its models at once."""
    if not isinstance(data, dict):
        return [Problem((), "not_a_document", "the file is not a ropa-register document (expected a JSON object)")], iter(())
    organisations = data.get("organisations", [])
    try:
        RegisterDocument.model_validate({**data, "organisations": []})
    except ValidationError as exc:
        return problems_from_validation(exc), iter(())
    if not isinstance(organisations, list):
        return [Problem(("organisations",), "list_type", "must be a list of organisations")], iter(())

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
        return None, [Problem((), "not_a_document", "the file is not a ropa-register document (expected a JSON object)")]
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
