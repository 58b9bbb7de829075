"""Content from files: the curriculum loaded once per content version and kept on the app."""
from flask import current_app

from .loader import files_changed, load_curriculum
from .model import ContentError, Curriculum

__all__ = ["ContentError", "Curriculum", "curriculum", "init_app", "load_curriculum"]


def init_app(app) -> None:
    """Load the content at start-up; invalid content stops the app with `path:line: message` lines."""
    app.extensions["curriculum"] = load_curriculum(app.config["CONTENT_DIR"], app.config["QUIZZES_DIR"])


def curriculum() -> Curriculum:
    """The current curriculum; in development, reloaded when a file changes (unchanged modules stay cached)."""
    app = current_app
    current = app.extensions["curriculum"]
    if app.config.get("CONTENT_RELOAD") and files_changed(current, app.config["CONTENT_DIR"], app.config["QUIZZES_DIR"]):
        try:
            current = app.extensions["curriculum"] = load_curriculum(app.config["CONTENT_DIR"], app.config["QUIZZES_DIR"])
        except ContentError as exc:
            app.logger.error("content not reloaded:\n%s", exc)
    return current
