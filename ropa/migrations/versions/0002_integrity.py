"""integrity: case-insensitive unique names, and an audit trail that cannot be replaced or truncated

Organisation names, and recipient names within an organisation, become unique regardless of
case in the database itself (an index on ``lower(name)``), so two racing saves cannot both
create "Race Case" and "RACE CASE". A register that already holds such a pair cannot take the
index: the upgrade stops and names the pairs, to be renamed or merged first.

The audit trail was append-only against UPDATE and DELETE only. SQLite's ``REPLACE INTO
audit_event`` deletes and re-inserts a row without firing the DELETE trigger, and PostgreSQL's
``TRUNCATE`` fires no row trigger: a BEFORE INSERT trigger refusing an existing id closes the
first, a BEFORE TRUNCATE trigger the second.

Revision ID: 0002_integrity
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_integrity"
down_revision = "0001"
branch_labels = None
depends_on = None


def _refuse_case_duplicates() -> None:
    bind = op.get_bind()
    found = [
        f"organisations {row[0]}"
        for row in bind.execute(
            sa.text(
                "SELECT string_agg(name, ' / ') FROM organisation GROUP BY lower(name) HAVING count(*) > 1"
                if bind.dialect.name == "postgresql"
                else "SELECT group_concat(name, ' / ') FROM organisation GROUP BY lower(name) HAVING count(*) > 1"
            )
        )
    ]
    found += [
        f"recipients {row[0]}"
        for row in bind.execute(
            sa.text(
                "SELECT string_agg(name, ' / ') FROM recipient GROUP BY organisation_id, lower(name) HAVING count(*) > 1"
                if bind.dialect.name == "postgresql"
                else "SELECT group_concat(name, ' / ') FROM recipient GROUP BY organisation_id, lower(name) HAVING count(*) > 1"
            )
        )
    ]
    if found:
        raise RuntimeError("names must be unique regardless of case; rename or merge these first: " + "; ".join(found))


def upgrade() -> None:
    _refuse_case_duplicates()
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index("uq_organisation_name_ci", [sa.text("lower(name)")], unique=True)
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.create_index("uq_recipient_org_name_ci", ["organisation_id", sa.text("lower(name)")], unique=True)

    if op.get_bind().dialect.name == "sqlite":
        # REPLACE (and INSERT OR REPLACE) removes the old row without a DELETE trigger firing
        # unless recursive_triggers is on (ropa.db turns it on too); refuse reusing an id.
        op.execute(
            "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
            "WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )
    else:
        op.execute("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_replace")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.drop_index("uq_recipient_org_name_ci")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index("uq_organisation_name_ci")
