"""The application factory: reads top to bottom as the table of contents of the app."""
import os

from flask import Flask

from . import content
from .config import ROOT, load_config
from . import schema
from .extensions import babel, csrf, db, login_manager


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(ROOT / "instance"), template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"))
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    app.config["CONTENT_RELOAD"] = app.debug
    if test_config:
        app.config.update(test_config)

    register_extensions(app)
    register_path_sources()
    register_summaries()
    register_outbox()
    register_evidence_storage()
    content.init_app(app)
    register_converters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_security_headers(app)
    register_input_guards(app)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def register_path_sources() -> None:
    """The path rules read facts that the features own; each feature's loader is handed in here."""
    from .assessment.services import statuses
    from .learning.services import completions_by_user
    from .mentoring.services import facts_by_user
    from .path.service import Sources, install
    from .readiness.decisions import go_decisions_by_user
    from .readiness.summary import facts_revision

    install(Sources(completions=completions_by_user, quiz_statuses=statuses, practice=facts_by_user,
                    go_decisions=go_decisions_by_user, revision=facts_revision))


def register_summaries() -> None:
    """Every commit that changes a trainee's rows stores their readiness summary in the same transaction."""
    from . import summaries
    from .readiness.summary import refresh

    summaries.install(db.session, refresh)


def register_outbox() -> None:
    """Every new notification is also written as an e-mail to the outbox, in the same transaction."""
    from .mail.outbox import install

    install(db.session)


def register_evidence_storage() -> None:
    """Evidence bytes written in a transaction that does not commit are removed (see evidence.storage)."""
    from .evidence.storage import install

    install(db.session)


def register_extensions(app: Flask) -> None:
    from .i18n import install_template_gettext, select_locale, select_timezone

    db.init_app(app)
    schema.register(app)  # `flask db ...`: Alembic is imported only when a migration command runs
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app.jinja_env)
    login_manager.init_app(app)
    from .auth import models as _  # noqa: F401  (user loader registration)
    from .api import models as _api  # noqa: F401  (tables known to migrations)
    from .activity import models as _activity  # noqa: F401
    from .mentoring import models as _mentoring  # noqa: F401
    from .readiness import models as _readiness  # noqa: F401
    from .mail import models as _mail  # noqa: F401
    from .evidence import models as _evidence  # noqa: F401
    from .careers import models as _careers  # noqa: F401
    from .auth.views import load_user  # noqa: F401
    app.jinja_env.globals.update(_jinja_helpers())

    @app.context_processor
    def _today():
        from flask_login import current_user

        from .notifications.services import unread_count
        from .timeutil import today

        unread = unread_count(current_user.id) if current_user and current_user.is_authenticated else 0
        return {"today": today(), "unread_notifications": unread}


def _jinja_helpers() -> dict:
    from . import i18n
    from .auth import permissions
    from .forms_common import error_items, kept_options, max_length
    from .frame import page_header
    from .navigation import next_field, with_next

    from .people.forms import ROLE_LABELS
    from .people.services import acting_mentor

    from .readiness.labels import helpers as readiness_helpers

    return {"fmt_date": i18n.fmt_date, "fmt_month": i18n.fmt_month, "fmt_datetime": i18n.fmt_datetime,
            "fmt_percent": i18n.fmt_percent, "fmt_number": i18n.fmt_number, "join_list": i18n.join_list,
            "can": permissions.can, "locale_attrs": i18n.locale_attrs, "role_label": lambda role: ROLE_LABELS.get(role, role),
            "acting_mentor": acting_mentor, "error_items": error_items, "max_length": max_length,
            "kept_options": kept_options,
            "next_field": next_field, "with_next": with_next, "current_zone": i18n.current_zone, "page_header": page_header,
            **readiness_helpers()}


def register_converters(app: Flask) -> None:
    """Integer URL parts above what the database holds are simply not found (404), never an error."""
    from werkzeug.routing import IntegerConverter

    from .paging import MAX_ID

    class BoundedInt(IntegerConverter):
        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("max", MAX_ID)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = BoundedInt


def register_blueprints(app: Flask) -> None:
    from .admin.views import bp as admin_bp
    from .api.pages import bp as tokens_bp
    from .api.views import bp as api_bp
    from .assessment.second_marking_views import bp as marking_bp
    from .assessment.statistics_views import bp as statistics_bp
    from .assessment.views import bp as assessment_bp
    from .activity.views import bp as activity_bp
    from .audit.views import bp as audit_bp
    from .evidence.views import bp as evidence_bp
    from .auth.views import bp as auth_bp
    from .careers.views import bp as careers_bp
    from .inbox.views import bp as inbox_bp
    from .learning.views import bp as learning_bp
    from .mail.views import bp as mail_bp
    from .main import bp as main_bp
    from .mentoring.views import bp as mentoring_bp
    from .notifications.views import bp as notifications_bp
    from .people.views import bp as people_bp
    from .readiness.views import bp as readiness_bp

    for blueprint in (main_bp, auth_bp, learning_bp, assessment_bp, mentoring_bp, activity_bp, people_bp, readiness_bp,
                      admin_bp, audit_bp, notifications_bp, api_bp, tokens_bp, inbox_bp, mail_bp, statistics_bp,
                      marking_bp, evidence_bp, careers_bp):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from .main import error_page

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, error_page)
    from flask_wtf.csrf import CSRFError

    app.register_error_handler(CSRFError, error_page)


def register_commands(app: Flask) -> None:
    from .cli import commands

    for command in commands:
        app.cli.add_command(command)


def register_input_guards(app: Flask) -> None:
    """A NUL character in a query or form value is refused with 400: PostgreSQL cannot store or compare it."""
    from flask import abort, request

    @app.before_request
    def _no_nul_characters():
        for values in (request.args, request.form):
            if any("\x00" in value for _key, items in values.lists() for value in [_key, *items]):
                abort(400)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
