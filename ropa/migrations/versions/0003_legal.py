"""organisation's establishments, Art. 3(2) targeting, Art. 27(2)/30(5) facts; activity discloses to no one

Revision ID: 0003_legal
Revises: 0002_integrity
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_legal"
down_revision = "0002_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recreate='never': plain ADD COLUMN on SQLite. Recreating the table would drop the expression
    # indexes SQLAlchemy cannot reflect (0002's case-insensitive unique names).
    # Existing rows get the values a new row gets: no establishments beyond the country, nothing claimed.
    with op.batch_alter_table("organisation", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("establishments", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("offers_to_eea", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("monitors_eea", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("occasional_processing", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("fewer_than_250", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("art30_5_assessment", sa.Text(), nullable=True))
    with op.batch_alter_table("processing_activity", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("no_recipients", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("processing_activity", schema=None) as batch_op:
        batch_op.drop_column("no_recipients")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        for name in ("art30_5_assessment", "fewer_than_250", "occasional_processing", "monitors_eea", "offers_to_eea", "establishments"):
            batch_op.drop_column(name)
