"""Persistence: SQLAlchemy models (``models``), engines and sessions (``db``), the
workflow's queries (``repo``) and Alembic migrations. The only package importing SQLAlchemy."""
