"""Flask extensions, created unbound here and initialised in create_app."""
import sqlite3

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
import sqlalchemy as sa
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Stable constraint names, so Alembic migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def one_of(column, values):
    """`column IN (…)` for a fixed list the code names (the statuses in training, the roles that mentor): one
    parameter per value, written into the statement once. `column.in_(values)` writes a list parameter that
    SQLAlchemy expands into the statement's text on every execution, which cost the dashboard's four statements
    0.4 ms a page (benchmarks/README.md); for lists that come from a request, keep `in_`."""
    return column.in_([sa.literal(value, column.type) for value in values])


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL for concurrent readers, enforced foreign keys, and a wait instead of 'database is locked'."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_begin_before_savepoint(connection, _name):
    """pysqlite opens a transaction only before a write, so a SAVEPOINT could start one by itself and its
    RELEASE would commit at once: rows written in `begin_nested()` would outlive a later rollback or a
    crash, without the audit event of the same request. An explicit BEGIN keeps them in the request's
    transaction."""
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")
