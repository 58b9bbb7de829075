"""Command-line tools: `flask --app app COMMAND`."""
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from .auth.models import ROLES, User
from .auth.passwords import password_problem
from .auth.services import change_time_zone
from .content import ContentError, load_app_curriculum
from .extensions import db
from .people.models import TraineeRecord
from .people.services import PeopleError, create_user
from .schema import upgrade
from .timeutil import is_time_zone


def _bar(length: int, label: str):
    """A progress bar on standard error (standard output stays the command's result); on a terminal it moves, in a
    log it is the label once."""
    return click.progressbar(length=length, label=label, file=sys.stderr)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema (safe to run again)."""
    upgrade()
    click.echo("Database is up to date.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Seed only when the database has no accounts yet.")
@with_appcontext
def seed_demo(if_empty):
    """Add the demo accounts and their progress (safe to run again)."""
    from .demo import STEPS, seed

    if if_empty and db.session.scalar(sa.select(sa.func.count(User.id))):
        click.echo("The database already has accounts; demo data not added.")
        return
    from .mail.outbox import held_back

    with held_back(), _bar(STEPS, "Demo data") as bar:  # the demo's history is past: nobody is e-mailed about it
        created = seed(advance=lambda: bar.update(1))
        db.session.commit()
    accounts = "1 new account" if created == 1 else f"{created} new accounts"
    click.echo(f"Demo data ready ({accounts}); every demo password is demo-pass-2024.")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", required=True, help="Full name as it appears in the platform.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
@click.option("--time-zone", default="", help="The person's time zone, an IANA name such as Europe/Berlin "
                                              "(default: the company's MAIL_TIME_ZONE).")
@with_appcontext
def create_user_command(email, role, name, password_stdin, time_zone):
    """Create an account; the password is prompted for, or read from standard input."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(str(problem))
    if "@" not in email or len(email) > 254:
        raise click.ClickException("That is not an email address.")
    if time_zone and not is_time_zone(time_zone):
        raise click.ClickException(f"{time_zone!r} is not a time zone; give one such as Europe/Berlin or Asia/Dubai.")
    try:
        user = create_user(email, name, role, password, None, ramp_days=current_app.config["RAMP_DAYS"])
    except PeopleError as exc:
        raise click.ClickException(str(exc)) from None
    change_time_zone(user, time_zone, None)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("check-content")
@click.option("--preview", "preview_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="A replacement content folder: check it and show what it would change against the content in use.")
@click.option("--quizzes", "preview_quizzes", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --preview: a replacement quizzes folder (default: the quizzes in use).")
@with_appcontext
def check_content(preview_dir, preview_quizzes):
    """Validate content/ and quizzes/ against the configuration (ROLE_PLAY_ATTEMPTS needs as many scenarios);
    print `path:line: message` for each problem (exit 1 if any). With --preview DIR, check DIR instead and say
    what replacing the content in use by it would change, and for whom."""
    if preview_dir is not None:
        _preview(preview_dir, preview_quizzes)
        return
    try:
        cur = load_app_curriculum(current_app.config)
    except ContentError as exc:
        _problems([str(p) for p in exc.problems])
    modules = sum(len(s.modules) for s in cur.stages)
    click.echo(f"Content is valid: {len(cur.stages)} stages, {modules} modules, "
               f"{len(cur.quizzes)} quizzes, {len(cur.tasks)} checklist tasks, {len(cur.scenarios)} role-play "
               f"scenarios, {len(cur.catalog.products)} products, "
               f"job description version {cur.job_description.version[:8]}.")
    for locale, texts in sorted((cur.translations or {}).items()):
        click.echo(f"Translations ({locale}): {len(texts['modules'])} modules, {len(texts['stages'])} stages, "
                   f"{len(texts['quizzes'])} quizzes, {len(texts['checklists'])} checklists, "
                   f"{len(texts['scenarios'])} scenarios"
                   + (", the job description" if texts["document"] else "")
                   + (", the payment terms" if texts["price_list"] else "")
                   + (", the catalog" if texts["catalog"] else "") + ".")


def _problems(lines) -> None:
    for line in lines:
        click.echo(line)
    click.echo(f"{len(lines)} problem found." if len(lines) == 1 else f"{len(lines)} problems found.", err=True)
    sys.exit(1)


def _preview(content_dir: Path, quizzes_dir: Path | None) -> None:
    from .admin.preview import preview
    from .content import Settings, original_curriculum

    config = current_app.config
    result = preview(original_curriculum(), content_dir, quizzes_dir or Path(config["QUIZZES_DIR"]),
                     Settings.from_config(config))
    if result.problems:
        _problems(list(result.problems))
    click.echo(f"Preview of {content_dir} against the content in use:")
    if result.unchanged:
        click.echo("Nothing would change.")
    for label, items in (("Modules added", result.modules_added), ("Modules removed", result.modules_removed),
                         ("Quizzes added", result.quizzes_added), ("Quizzes removed", result.quizzes_removed)):
        if items:
            click.echo(f"{label} ({len(items)}): " + ", ".join(f"{slug} ({title})" for slug, title in items))
    for m in result.modules_changed:
        d = m.difference
        parts = [f"{n} section{'s' if n > 1 else ''} {what}" for n, what in
                 ((len(d.added), "added"), (len(d.removed), "removed"), (len(d.changed), "changed")) if n]
        parts += [f"{before} -> {after}" for before, after in d.figures]
        readers = f"{m.readers} trainee(s)" if result.counted else "its readers (no database to count them yet)"
        reread = (f"; asks for a re-read: {readers} would read it again" if m.reread
                  else f"; {readers} who read it will see what changed")
        click.echo(f"Module changed: {m.slug} ({m.title}): {', '.join(parts) or 'formatting only'}{reread}")
    for q in result.quizzes_changed:
        parts = [f"{what} {', '.join(ids)}" for what, ids in (("questions added", q.added),
                                                           ("removed", q.removed), ("changed", q.changed)) if ids]
        click.echo(f"Quiz changed: {q.slug} ({q.title}): {'; '.join(parts)}")
    if result.document_changed:
        signers = f"{result.signers} trainee(s)" if result.counted else "every trainee who signed it"
        click.echo(f"Job description changed: {signers} would be asked to sign the new version.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup(path):
    """Write a consistent copy of the database to PATH while the app keeps running."""
    url = db.engine.url
    target = Path(path)
    if url.get_backend_name() == "sqlite":  # in one step, without a bar: a copy made in steps starts over whenever
        source = sqlite3.connect(url.database)  # another connection writes, and under load might never end
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        dest.close()
        source.close()
    elif url.get_backend_name() == "postgresql":
        _pg_dump(url, target)
    else:
        raise click.ClickException(f"backup does not support {url.get_backend_name()}")
    click.echo(f"Backup written to {target}.")
    from .evidence.backup import copy_folder

    def each_file(keys):
        with _bar(len(keys), "Evidence files") as bar:
            for key in keys:
                yield key
                bar.update(1)

    copied = copy_folder(target, each_file)  # after the database: every file a backed-up row points at is written
    if copied is not None:
        click.echo(f"{copied} evidence file(s) copied to {target}.evidence/.")


def _pg_dump(url, target: Path) -> None:
    """pg_dump's custom format to TARGET, with a bar moved by each table pg_dump says it is dumping."""
    if not shutil.which("pg_dump"):
        raise click.ClickException("pg_dump is needed to back up PostgreSQL; install the PostgreSQL client.")
    tables = len(sa.inspect(db.engine).get_table_names())
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ, PGPASSWORD=url.password or "")  # not on the command line, where ps shows it
    said = []  # what pg_dump says besides its progress: errors, warnings, their details and hints
    with open(target, "wb") as out, _bar(tables, "Tables") as bar:
        dump = subprocess.Popen(["pg_dump", "--format=custom", "--verbose", plain], stdout=out,
                                stderr=subprocess.PIPE, text=True, errors="replace", env=env)
        try:
            for line in dump.stderr:
                if "dumping contents of table" in line:
                    bar.update(1)
                elif not line.startswith("pg_dump: ") or line.split()[1:2] in (
                        ["error:"], ["warning:"], ["detail:"], ["hint:"]):
                    said.append(line.rstrip())
            code = dump.wait()
        finally:
            if dump.poll() is None:  # interrupted (Ctrl-C): no pg_dump left running
                dump.kill()
                dump.wait()
    if code != 0:
        raise click.ClickException("pg_dump failed: " + ("; ".join(said) or f"exit status {code}"))
    for line in said:  # a dump that succeeded with warnings: they still reach whoever runs it
        click.echo(line, err=True)


@click.command("evidence-orphans")
@with_appcontext
def evidence_orphans():
    """Report evidence bytes no row points at, and rows whose bytes are missing; exit 1 when there are any."""
    from .evidence.services import orphans

    found = orphans()
    for key in found["stored_without_row"]:
        click.echo(f"stored without a row: {key}")
    for file_id in found["rows_without_bytes"]:
        click.echo(f"file {file_id}: its bytes are missing")
    if found["stored_without_row"] or found["rows_without_bytes"]:
        raise SystemExit(1)
    click.echo("Every evidence file has its row and every row its bytes.")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="Command line", help="A name to recognise the token by.")
@with_appcontext
def create_token_command(email, name):
    """Create an API token for EMAIL and print it once (only its hash is stored)."""
    from .api.tokens import create_token
    from .auth.services import user_by_email

    user = user_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"No active account with the email {email}.")
    token = create_token(user, name)
    db.session.commit()
    click.echo(token)


@click.command("rebuild-summaries")
@click.option("--stale", is_flag=True, help="Only the summaries from another day or other content (nightly cron).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing: compare the lists' kept counts with the stored summaries, exit 1 on a difference.")
@with_appcontext
def rebuild_summaries(stale, check_only):
    """Recompute every trainee's stored readiness summary (or only the out-of-date ones) from their records."""
    from .readiness.summary import BATCH, refresh, stale_ids
    from .readiness.tallies import mismatches, recount

    if check_only:
        found = mismatches(db.session)
        db.session.rollback()
        for line in found:
            click.echo(line)
        if found:
            raise click.ClickException(f"{len(found)} of the lists' counts differ from the stored summaries: "
                                       "`flask --app app rebuild-summaries` counts them again.")
        click.echo("The lists' counts agree with the stored summaries.")
        return

    ids = stale_ids(db.session) if stale else list(db.session.scalars(sa.select(TraineeRecord.user_id)
                                                                       .order_by(TraineeRecord.user_id)))
    written = 0
    with _bar(len(ids), "Readiness summaries") as bar:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            written += refresh(db.session, chunk)
            db.session.commit()
            bar.update(len(chunk))
    recount(db.session)  # the lists' counts from scratch: whatever a hand or a restore did to them is mended
    db.session.commit()
    click.echo(f"{written} readiness {'summary' if written == 1 else 'summaries'} recomputed.")


@click.command("send-mail")
@click.option("--once", is_flag=True, help="Send what is due and exit (for cron); without it, run until stopped.")
@click.option("--poll", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds to wait when nothing is due.")
@with_appcontext
def send_mail(once, poll):
    """Deliver the outbox (through MAIL_URL's SMTP server, or as .eml files under instance/mail/ when it is unset),
    and send the reminders and weekly digests that are due (every REMINDER_EVERY_MINUTES, and once with --once)."""
    import signal
    import threading

    from .config import ConfigError
    from .mail.schedule import evaluate
    from .mail.sender import run, run_schedule, send_due, transport_for

    try:
        transport = transport_for(current_app.config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Mail: {transport.describe()}.")
    config = current_app.config
    schedule = lambda: evaluate(config)  # noqa: E731
    if once:
        run_schedule(schedule, click.echo)
        tally = send_due(transport)
        transport.close()
        click.echo(f"{tally.sent} sent, {tally.retrying} to retry, {tally.failed} failed.")
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_args: stop.set())
    click.echo("Sending until stopped (Ctrl-C or SIGTERM).")
    run(transport, stop, poll=poll, echo=click.echo, schedule=schedule,
        every=60 * config["REMINDER_EVERY_MINUTES"])
    click.echo("Stopped.")


commands = [init_db, seed_demo, create_user_command, check_content, create_token_command, backup, rebuild_summaries,
            send_mail, evidence_orphans]
