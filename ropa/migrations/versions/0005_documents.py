"""documents: what privacy notices need (activity.transparency) and the fields an organisation publishes

Revision ID: 0005_documents
Revises: 0003_legal
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_documents"
down_revision = "0003_legal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recreate='never': plain ADD COLUMN on SQLite. Recreating the table would drop the expression
    # indexes SQLAlchemy cannot reflect (0002's case-insensitive unique names).
    with op.batch_alter_table("processing_activity", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("transparency", sa.JSON(), server_default="{}", nullable=False))
    with op.batch_alter_table("organisation", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("public_fields", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("public_fields")
    with op.batch_alter_table("processing_activity", schema=None) as batch_op:
        batch_op.drop_column("transparency")
