"""Persistence: SQLModel tables, engine and sessions; only Alembic creates the schema."""
