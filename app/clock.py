"""Now, for every layer: one clock, so the web layer need not import the store for it."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as an aware UTC datetime (the store's column type refuses naive ones)."""
    return datetime.now(UTC)
