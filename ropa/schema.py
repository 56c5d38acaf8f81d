"""The register's JSON interchange format (``ropa-register`` version 1) as pydantic models.

These models are the public contract of ``python -m ropa export/import FILE.json`` and the
input models every write goes through: SQLModel table classes do not validate, so the
registry validates with these first and only then builds rows. Fields may be added in later
versions; none are renamed. ``schema/ropa-register.schema.json`` is generated from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any, ClassVar, Literal, Optional

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ropa import vocab
from ropa.text import normalise_name

FORMAT_NAME = "ropa-register"
FORMAT_VERSION = 1
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$"
MAX_VERSION = 2**31 - 1  # a record's version counter: an INTEGER column on both databases
# A retention period of at most 1,000 years, in its unit (an INTEGER column on both databases).
MAX_RETENTION = {"days": 366_000, "months": 12_000, "years": 1_000}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


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
            raise PydanticCustomError(
                "control_character", "contains a control character (U+{code}), which a name cannot hold", {"code": f"{ord(bad.group()):04X}"}
            )
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
            "unknown_code",
            "'{value}' is not a {what} (expected one of {shown})",
            {"value": value, "what": what, "shown": shown},
        )
    return value


def _check_country(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    if vocab.is_country(value.upper()):
        return value.upper()
    if not vocab.is_country(value):
        raise PydanticCustomError("unknown_country", "'{value}' is not an ISO 3166 country code", {"value": value})
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
        from ropa.public_fields import PUBLISHABLE

        for i, key in enumerate(v or []):
            if key and key not in PUBLISHABLE:
                raise PydanticCustomError(
                    "unknown_code",
                    "item {i}: '{key}' is not a field that can be published (expected one of {shown})",
                    {"i": i, "key": key, "shown": ", ".join(PUBLISHABLE)},
                )
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
    offers_to_eea: Optional[bool] = None  # Art. 3(2)(a): yes, no, or None (not recorded)
    monitors_eea: Optional[bool] = None  # Art. 3(2)(b): yes, no, or None (not recorded)
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
