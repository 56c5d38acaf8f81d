"""The register's tables (SQLModel), shaped after GDPR Art. 30(1) and 30(2).

Lists that belong to one activity and are never shared (purposes, data categories, sources,
security measures, systems) are JSON columns. Things that are shared, counted or filtered on
(recipients, legal bases and Art. 9 conditions, transfers) are rows, so the overview can
aggregate them in SQL and a recipient renamed once is renamed everywhere.

Codes (roles, statuses, legal bases, mechanisms ...) are plain strings checked against
:mod:`ropa.vocab` by the input models in :mod:`ropa.schema`; table classes do not validate.
"""

from datetime import UTC, date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, LargeBinary, Table, Text, UniqueConstraint, func
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Field, Relationship, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _stamp() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class Organisation(SQLModel, table=True):
    """A legal entity in the register: a controller and/or processor (Art. 30(1)(a), 30(2)(a))."""

    __tablename__ = "organisation"
    # Names are unique regardless of case, in the database itself: two saves racing with "Race
    # Case" and "RACE CASE" cannot both succeed.
    __table_args__ = (Index("uq_organisation_name_ci", func.lower(Column("name", Text)), unique=True),)

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    org_number: Optional[str] = None
    country: Optional[str] = Field(default=None, max_length=2)
    address: Optional[str] = None
    email: Optional[str] = None
    phone: Optional[str] = None
    website: Optional[str] = None
    supervisory_authority: Optional[str] = None
    public_authority: bool = False  # Art. 37(1)(a): a public authority or body must designate a DPO
    # Art. 3: where the organisation is established (besides ``country``), and whether, without an
    # establishment in the EEA, it offers goods or services to (3(2)(a)) or monitors (3(2)(b)) people
    # there: yes, no, or None (not recorded), so that "does not" and "nobody said" stay apart.
    establishments: list[str] = _json_list()
    offers_to_eea: Optional[bool] = None
    monitors_eea: Optional[bool] = None
    # Art. 27(2)(a) and 30(5): processing that is occasional and unlikely to result in a risk,
    # fewer than 250 employees, and the organisation's reasons.
    occasional_processing: bool = False
    fewer_than_250: bool = False
    art30_5_assessment: Optional[str] = Field(default=None, sa_column=Column(Text))
    dpo_name: Optional[str] = None
    dpo_email: Optional[str] = None
    dpo_phone: Optional[str] = None
    representative_name: Optional[str] = None
    representative_address: Optional[str] = None
    representative_country: Optional[str] = Field(default=None, max_length=2)
    representative_email: Optional[str] = None
    # The fields this organisation publishes in its public register (empty: the default set).
    public_fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    created_at: datetime = _stamp()
    updated_at: datetime = _stamp()

    activities: list["ProcessingActivity"] = Relationship(
        back_populates="organisation",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "ProcessingActivity.ref"},
    )
    recipients: list["Recipient"] = Relationship(
        back_populates="organisation",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Recipient.name"},
    )


class Recipient(SQLModel, table=True):
    """Who receives personal data (Art. 30(1)(d)); shared by the activities of one organisation."""

    __tablename__ = "recipient"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name", name="uq_recipient_org_name"),
        Index("uq_recipient_org_name_ci", "organisation_id", func.lower(Column("name", Text)), unique=True),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    organisation_id: int = Field(sa_column=Column(Integer, ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True))
    name: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(default="other", max_length=32)
    country: Optional[str] = Field(default=None, max_length=2)
    agreement: Optional[str] = None
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))

    organisation: Optional[Organisation] = Relationship(back_populates="recipients")


class ActivityRecipient(SQLModel, table=True):
    """Link from an activity to the organisation's recipients, in the order the user gave."""

    __tablename__ = "activity_recipient"

    activity_id: int = Field(sa_column=Column(Integer, ForeignKey("processing_activity.id", ondelete="CASCADE"), primary_key=True))
    recipient_id: int = Field(sa_column=Column(Integer, ForeignKey("recipient.id", ondelete="CASCADE"), primary_key=True, index=True))
    position: int = 0

    recipient: Optional[Recipient] = Relationship(sa_relationship_kwargs={"lazy": "joined"})


class ProcessingActivity(SQLModel, table=True):
    """One processing activity: everything Art. 30(1) and 30(2) ask for, and what a DPO adds."""

    __tablename__ = "processing_activity"
    __table_args__ = (
        UniqueConstraint("organisation_id", "ref", name="uq_activity_org_ref"),
        Index("ix_activity_status", "status"),
        Index("ix_activity_role", "role"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    organisation_id: int = Field(sa_column=Column(Integer, ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False, index=True))
    ref: str = Field(max_length=40)
    name: str = Field(sa_column=Column(Text, nullable=False))
    description: Optional[str] = Field(default=None, sa_column=Column(Text))
    role: str = Field(default="controller", max_length=32)
    controllers: list[str] = _json_list()
    status: str = Field(default="active", max_length=16)
    owner: Optional[str] = None
    purposes: list[str] = _json_list()
    special_categories: list[str] = _json_list()
    criminal_data: bool = False
    criminal_data_basis: Optional[str] = Field(default=None, sa_column=Column(Text))
    no_recipients: bool = False  # Art. 30(1)(d): recorded that the data are disclosed to no one
    data_subjects: list[str] = _json_list()
    data_categories: list[str] = _json_list()
    sources: list[str] = _json_list()
    security_measures: list[str] = _json_list()
    systems: list[str] = _json_list()
    retention_period: Optional[int] = None
    retention_unit: Optional[str] = Field(default=None, max_length=8)
    retention_trigger: Optional[str] = Field(default=None, sa_column=Column(Text))
    retention_action: Optional[str] = Field(default=None, max_length=16)
    retention_text: Optional[str] = Field(default=None, sa_column=Column(Text))
    dpia_status: str = Field(default="not_assessed", max_length=16)
    dpia_ref: Optional[str] = None
    # WP248 criteria and Art. 35(3) cases: {"large_scale": {"answer": true, "note": "..."}, ...}
    dpia_screening: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    last_review: Optional[date] = None
    next_review: Optional[date] = None
    # What Art. 13/14 notices need beyond Art. 30: {"collection": "subject", "provision": "contractual", ...}
    # (see ropa.schema.TransparencyDoc); {} until someone fills it in.
    transparency: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    created_at: datetime = _stamp()
    updated_at: datetime = _stamp()

    organisation: Optional[Organisation] = Relationship(back_populates="activities")
    bases: list["ActivityBasis"] = Relationship(sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "ActivityBasis.position"})
    recipient_links: list[ActivityRecipient] = Relationship(sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "ActivityRecipient.position"})
    transfers: list["Transfer"] = Relationship(
        back_populates="activity",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Transfer.position"},
    )


class ActivityBasis(SQLModel, table=True):
    """A legal basis (Art. 6(1)) or an Art. 9(2) condition of an activity, with its justification.

    One table for both, told apart by the code's prefix (``art6_`` / ``art9_``), so the overview
    counts activities by basis with one GROUP BY.
    """

    __tablename__ = "activity_basis"

    id: Optional[int] = Field(default=None, primary_key=True)
    activity_id: int = Field(sa_column=Column(Integer, ForeignKey("processing_activity.id", ondelete="CASCADE"), nullable=False, index=True))
    position: int = 0
    code: str = Field(max_length=16, index=True)
    note: Optional[str] = Field(default=None, sa_column=Column(Text))
    documentation: Optional[str] = Field(default=None, sa_column=Column(Text))  # LIA, consent record, the law


class Transfer(SQLModel, table=True):
    """A flow to a third country or international organisation (Art. 30(1)(e), Chapter V)."""

    __tablename__ = "transfer"

    id: Optional[int] = Field(default=None, primary_key=True)
    activity_id: int = Field(sa_column=Column(Integer, ForeignKey("processing_activity.id", ondelete="CASCADE"), nullable=False, index=True))
    position: int = 0
    country: Optional[str] = Field(default=None, max_length=2, index=True)
    international_organisation: Optional[str] = None
    recipient_id: Optional[int] = Field(default=None, sa_column=Column(Integer, ForeignKey("recipient.id", ondelete="SET NULL"), nullable=True))
    mechanism: str = Field(default="unknown", max_length=16)
    safeguard: Optional[str] = Field(default=None, sa_column=Column(Text))
    tia_date: Optional[date] = None
    frequency: Optional[str] = Field(default=None, max_length=16)  # occasional | regular (Art. 49 is for occasional)
    adequacy_scope_confirmed: bool = False  # e.g. the US recipient's DPF certification was checked
    note: Optional[str] = Field(default=None, sa_column=Column(Text))

    activity: Optional[ProcessingActivity] = Relationship(back_populates="transfers")
    recipient: Optional[Recipient] = Relationship(sa_relationship_kwargs={"lazy": "joined"})


class Term(SQLModel, table=True):
    """An organisation's own vocabulary term, extending fideslang's taxonomy."""

    __tablename__ = "term"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "key", name="uq_term"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    organisation_id: Optional[int] = Field(default=None, sa_column=Column(Integer, ForeignKey("organisation.id", ondelete="CASCADE"), nullable=True))
    kind: str = Field(max_length=16)  # data_category | data_use | data_subject
    key: str
    label_en: str
    label_nb: str


class AuditEvent(SQLModel, table=True):
    """Who changed what, when, from which value to which. Append-only: triggers refuse
    UPDATE and DELETE, and it has no foreign keys so a deleted record keeps its history."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = _stamp()
    actor: str
    action: str = Field(max_length=8)  # create | update | delete
    entity: str = Field(max_length=16)  # organisation | activity | recipient
    entity_id: int
    entity_key: str  # human key, e.g. "Janteloppet/JL-03"
    field: Optional[str] = None
    old_value: Optional[str] = Field(default=None, sa_column=Column(Text))
    new_value: Optional[str] = Field(default=None, sa_column=Column(Text))
    version: int  # the record's version after this change
    source: Optional[str] = None  # e.g. "import:register.xlsx", "cli", "dashboard"


class UserAccount(SQLModel, table=True):
    """A person who may sign in, with one role (admin, dpo, editor, viewer). The password is an
    argon2 hash; failed sign-ins are counted so repeated guessing slows down and then locks."""

    __tablename__ = "user_account"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    email: Optional[str] = Field(default=None, sa_column=Column(Text, unique=True))  # matched to OIDC sign-ins
    role: str = Field(max_length=16)
    password_hash: Optional[str] = Field(default=None, sa_column=Column(Text))  # None: OIDC sign-in only
    enabled: bool = True
    failed_signins: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    last_failed_at: Optional[datetime] = Field(default=None, sa_column=Column(DateTime(timezone=True)))  # a day on, the count starts again
    locked_until: Optional[datetime] = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime = _stamp()


class SignInGuess(SQLModel, table=True):
    """Failed sign-ins at a name that is no enabled user, counted as an account's are, so that
    guessing until the lock answers alike whether or not the name exists; kept in the database so
    that a restart or another server process does not start the count again. The name itself is
    kept as typed (people type passwords into the name field): the key is its HMAC-SHA-256 under the
    server's key (``settings.workbook_key``), which is not in the database."""

    __tablename__ = "sign_in_guess"

    key: str = Field(primary_key=True, max_length=64)
    failures: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    locked_until: Optional[datetime] = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    tried_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))


class UserOrganisation(SQLModel, table=True):
    """An organisation a user is assigned to; a user with none (admin, dpo) acts on all."""

    __tablename__ = "user_organisation"

    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True))
    organisation_id: int = Field(sa_column=Column(Integer, ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True))


class ActivityReview(SQLModel, table=True):
    """Where an activity stands in the review cycle (draft -> in_review -> approved), its owner,
    and the version last approved, kept whole so it stays visible while a change awaits approval.
    An activity without a row is a draft."""

    __tablename__ = "activity_review"

    activity_id: int = Field(sa_column=Column(Integer, ForeignKey("processing_activity.id", ondelete="CASCADE"), primary_key=True))
    state: str = Field(default="draft", max_length=16)
    owner: Optional[str] = None  # a user's name
    note: Optional[str] = Field(default=None, sa_column=Column(Text))  # why it was returned
    approved_version: Optional[int] = None
    approved_record: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    approved_at: Optional[datetime] = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    approved_by: Optional[str] = None
    last_reviewed_at: Optional[datetime] = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_reviewed_by: Optional[str] = None


class ReviewInterval(SQLModel, table=True):
    """How many months after an approval an organisation's activities are due for review again
    (12 when an organisation has no row)."""

    __tablename__ = "review_interval"

    organisation_id: int = Field(sa_column=Column(Integer, ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True))
    months: int = 12


class Snapshot(SQLModel, table=True):
    """An immutable copy of the whole register under a label, for "the register as it was"
    (an audit, a year end). Triggers refuse UPDATE and DELETE, as for the audit trail.

    ``content`` is the register in the JSON format (gzip), with the versions every record was
    read at; ``organisation_ids`` maps each organisation's name in the copy to its row id, so a
    reader assigned to an organisation sees its part even after a rename."""

    __tablename__ = "snapshot"

    id: Optional[int] = Field(default=None, primary_key=True)
    label: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    created_at: datetime = _stamp()
    created_by: str = Field(sa_column=Column(Text, nullable=False))
    organisations: int = 0
    activities: int = 0
    organisation_ids: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    digest: str = Field(max_length=64)  # sha256 of the JSON text, so a copy can be shown to be the one stored
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


def core_table(model: type[SQLModel]) -> Table:
    """A table model's Core table, for statements that skip the ORM (bulk inserts, snapshots);
    SQLModel sets ``__table__`` when the class is made, where type checkers do not see it."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table)
    return table


def organisation_named(session: Any, name: str) -> Optional["Organisation"]:
    """The organisation by name (case-insensitive; the exact name wins) or organisation number, or
    None: the one lookup that the register (``ropa.register.lookup``) and the access rules share."""
    from sqlalchemy import or_, select
    from sqlmodel import col

    from ropa.text import normalise_name

    needle = normalise_name(name)
    # One query (an import asks for each of its organisations several times).
    found = (
        session.execute(
            select(Organisation).where(
                or_(
                    col(Organisation.name) == needle,
                    func.lower(col(Organisation.name)) == needle.lower(),
                    col(Organisation.org_number) == needle,
                )
            )
        )
        .scalars()
        .all()
    )
    # The exact name, then the name in other letter case, and only then an organisation number: an
    # organisation whose number is set to another's name (in any case) must not capture that name.
    return min(found, key=lambda o: (o.name != needle, o.name.lower() != needle.lower(), o.id or 0), default=None)
