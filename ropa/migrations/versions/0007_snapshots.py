"""snapshots: immutable labelled copies of the whole register

A snapshot is written once and never changed or removed: triggers refuse UPDATE and DELETE
(and REPLACE on SQLite, TRUNCATE on PostgreSQL), as for the audit trail.

Revision ID: 0007_snapshots
Revises: 0006_users
Create Date: 2026-12-02
"""

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes  # (so sqlmodel.sql is known to type checkers too)
from alembic import op

revision = "0007_snapshots"
down_revision = "0006_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("organisations", sa.Integer(), nullable=False),
        sa.Column("activities", sa.Integer(), nullable=False),
        sa.Column("organisation_ids", sa.JSON(), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("label"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER snapshot_no_{verb.lower()} BEFORE {verb} ON snapshot BEGIN SELECT RAISE(ABORT, 'snapshot is immutable'); END")
        op.execute(
            "CREATE TRIGGER snapshot_no_replace BEFORE INSERT ON snapshot "
            "WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM snapshot WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'snapshot is immutable'); END"
        )
    else:
        op.execute("CREATE FUNCTION snapshot_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'snapshot is immutable'; END $$")
        op.execute("CREATE TRIGGER snapshot_immutable BEFORE UPDATE OR DELETE ON snapshot FOR EACH ROW EXECUTE FUNCTION snapshot_immutable()")
        op.execute("CREATE TRIGGER snapshot_no_truncate BEFORE TRUNCATE ON snapshot FOR EACH STATEMENT EXECUTE FUNCTION snapshot_immutable()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("snapshot_no_update", "snapshot_no_delete", "snapshot_no_replace"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS snapshot_no_truncate ON snapshot")
        op.execute("DROP TRIGGER IF EXISTS snapshot_immutable ON snapshot")
        op.execute("DROP FUNCTION IF EXISTS snapshot_immutable()")
    op.drop_table("snapshot")
