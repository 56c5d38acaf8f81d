"""Alembic environment: the registry's tables, batch mode for SQLite."""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from ropa import models  # noqa: F401
from ropa.settings import database_url

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    engine = config.attributes.get("engine") or create_engine(database_url())
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
