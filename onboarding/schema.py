"""The database schema's migrations (Alembic, through Flask-Migrate), loaded only when a command asks for them.

A web worker serves pages and never migrates, so it never imports Alembic and Mako (about 11 MB a worker).
`flask db ...` and `init-db` load them on first use.
"""
import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext

from .config import ROOT

DIRECTORY = str(ROOT / "migrations")


def ready(app: Flask) -> None:
    """Flask-Migrate bound to this app (once): what its commands and `upgrade` read from app.extensions."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(command="db").init_app(app, _db(), directory=DIRECTORY, render_as_batch=True)


def upgrade(revision: str = "head") -> None:
    """Apply the migrations up to `revision` on the current app's database."""
    from flask_migrate import upgrade as apply

    ready(current_app._get_current_object())
    apply(revision=revision)


def downgrade(revision: str) -> None:
    from flask_migrate import downgrade as revert

    ready(current_app._get_current_object())
    revert(revision=revision)


class _LoadedOnUse(click.Group):
    """A group whose subcommands are Flask-Migrate's own, imported when the group is first used."""

    def _commands(self) -> click.Group:
        from flask_migrate.cli import db as commands

        ready(current_app._get_current_object())
        return commands

    def list_commands(self, ctx):
        return self._commands().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._commands().get_command(ctx, name)


@click.group("db", cls=_LoadedOnUse)
@click.option("-d", "--directory", default=None, help='Migration script directory (default is "migrations")')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@with_appcontext
def migration_commands(directory, x_arg):
    """Database migrations (Flask-Migrate and Alembic)."""
    g.directory = directory  # what Flask-Migrate's commands read, as its own group sets them
    g.x_arg = x_arg


def register(app: Flask) -> None:
    app.cli.add_command(migration_commands)


def _db():
    from .extensions import db

    return db
