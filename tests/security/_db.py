"""Database snapshots: every row of every table, to prove a request changed nothing."""
import sqlalchemy as sa

from onboarding.extensions import db


def snapshot(app) -> dict:
    """{table: sorted rows} for every table the models know, read in one fresh session."""
    with app.app_context():
        rows = {}
        with db.engine.connect() as conn:
            for table in db.metadata.sorted_tables:
                rows[table.name] = sorted((tuple(map(repr, r)) for r in conn.execute(sa.select(table))))
        return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]
