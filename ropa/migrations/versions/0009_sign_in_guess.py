"""failed sign-ins at names that are no enabled user, in the database instead of the server process;
when a user's last failure was, so that a count a day old starts again for both kinds of name

Revision ID: 0009_sign_in_guess
Revises: 0008_art3_2_tristate
Create Date: 2026-12-03
"""

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes  # (so sqlmodel.sql is known to type checkers too)
from alembic import op

revision = "0009_sign_in_guess"
down_revision = "0008_art3_2_tristate"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_guess",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tried_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_sign_in_guess_tried_at"), "sign_in_guess", ["tried_at"], unique=False)
    op.add_column("user_account", sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("last_failed_at")
    op.drop_index(op.f("ix_sign_in_guess_tried_at"), table_name="sign_in_guess")
    op.drop_table("sign_in_guess")
