"""Content from files: the curriculum loaded once per content version and kept on the app."""
from flask import current_app, has_request_context

from ..i18n import locale_name
from ..values import BoundedStore
from .loader import files_changed, load_curriculum
from .model import ContentError, Curriculum, Settings
from .translations import localize

__all__ = ["ContentError", "Curriculum", "Settings", "curriculum", "init_app", "load_app_curriculum",
           "load_curriculum", "original_curriculum"]


def load_app_curriculum(config) -> Curriculum:
    """The curriculum of an app's config: its folders, checked and rendered with its settings
    (ROLE_PLAY_ATTEMPTS, ROLE_PLAY_EVALUATORS), which are read at start-up and constant for the app's lifetime."""
    return load_curriculum(config["CONTENT_DIR"], config["QUIZZES_DIR"], Settings.from_config(config))


def init_app(app) -> None:
    """Load the content at start-up; invalid content stops the app with `path:line: message` lines."""
    app.extensions["curriculum"] = load_app_curriculum(app.config)
    app.extensions["curriculum_by_locale"] = BoundedStore(16)
    from ..i18n import content_attrs, untranslated

    app.jinja_env.globals.update(content_attrs=content_attrs, untranslated=untranslated)


def original_curriculum() -> Curriculum:
    """The current curriculum as written; in development, reloaded when a file changes (unchanged modules stay cached)."""
    app = current_app
    current = app.extensions["curriculum"]
    if app.config.get("CONTENT_RELOAD") and files_changed(current, app.config["CONTENT_DIR"], app.config["QUIZZES_DIR"]):
        try:
            current = app.extensions["curriculum"] = load_app_curriculum(app.config)
        except ContentError as exc:
            app.logger.error("content not reloaded:\n%s", exc)
    return current


def curriculum() -> Curriculum:
    """The curriculum in the reader's language: each item translated where a translation exists, else the original."""
    current = original_curriculum()
    if not has_request_context() or not current.translations:
        return current
    name = locale_name()  # "ar", or "ar_EG" whose language is "ar"
    language = name if name in current.translations else name.partition("_")[0]
    if language not in current.translations:
        return current
    cache = current_app.extensions["curriculum_by_locale"]  # init_app's: only the newest versions are kept
    return cache.keep((current.version, language), lambda: localize(current, language))
