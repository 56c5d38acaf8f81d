"""Art. 3(2) answers as yes / no / not recorded: offers_to_eea and monitors_eea become nullable

Before, "does not target or monitor people in the EEA" and "nobody recorded it" were both false.
Nobody could tell them apart, so an existing false becomes NULL (not recorded) and true stays true:
the finding that asks for the answer then asks where it matters (no establishment in the EEA).

Revision ID: 0008_art3_2_tristate
Revises: 0007_snapshots
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_art3_2_tristate"
down_revision = "0007_snapshots"
branch_labels = None
depends_on = None

_COLUMNS = ("offers_to_eea", "monitors_eea")


def _table() -> sa.TableClause:
    return sa.table("organisation", sa.column("id", sa.Integer()), *(sa.column(c, sa.Boolean()) for c in _COLUMNS))


def upgrade() -> None:
    bind = op.get_bind()
    org = _table()
    if bind.dialect.name == "sqlite":
        # SQLite cannot relax NOT NULL in place, and recreating the table would drop the expression
        # indexes SQLAlchemy cannot reflect (0002's case-insensitive unique names): the columns are
        # dropped and added back nullable, and the yes answers written again.
        yes = {c: [row.id for row in bind.execute(sa.select(org.c.id).where(org.c[c] == sa.true()))] for c in _COLUMNS}
        with op.batch_alter_table("organisation", schema=None, recreate="never") as batch_op:
            for c in _COLUMNS:
                batch_op.drop_column(c)
        with op.batch_alter_table("organisation", schema=None, recreate="never") as batch_op:
            for c in _COLUMNS:
                batch_op.add_column(sa.Column(c, sa.Boolean(), nullable=True))
        for c, ids in yes.items():
            if ids:
                op.execute(org.update().where(org.c.id.in_(ids)).values({c: True}))
        return
    for c in _COLUMNS:
        op.alter_column("organisation", c, existing_type=sa.Boolean(), nullable=True, server_default=None)
        op.execute(org.update().where(org.c[c] == sa.false()).values({c: None}))


def downgrade() -> None:
    bind = op.get_bind()
    org = _table()
    for c in _COLUMNS:
        op.execute(org.update().where(org.c[c].is_(None)).values({c: False}))
    if bind.dialect.name == "sqlite":
        yes = {c: [row.id for row in bind.execute(sa.select(org.c.id).where(org.c[c] == sa.true()))] for c in _COLUMNS}
        with op.batch_alter_table("organisation", schema=None, recreate="never") as batch_op:
            for c in _COLUMNS:
                batch_op.drop_column(c)
        with op.batch_alter_table("organisation", schema=None, recreate="never") as batch_op:
            for c in _COLUMNS:
                batch_op.add_column(sa.Column(c, sa.Boolean(), nullable=False, server_default=sa.false()))
        for c, ids in yes.items():
            if ids:
                op.execute(org.update().where(org.c.id.in_(ids)).values({c: True}))
        return
    for c in _COLUMNS:
        op.alter_column("organisation", c, existing_type=sa.Boolean(), nullable=False, server_default=sa.false())
