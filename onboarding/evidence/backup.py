"""Evidence in backups: the database storage's files are rows, inside the database's backup already; the folder
storage's are copied beside it (PATH.evidence/), in the folder's own layout."""
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import current_app

from .storage import FolderStorage, storage


def copy_folder(target: Path, each: Callable[[list[str]], Iterable[str]] = iter) -> int | None:
    """Copy the folder storage's files to TARGET.evidence/; their count, or None with the database storage. The
    keys are walked through `each` (the backup command's progress bar)."""
    store = storage()
    if not isinstance(store, FolderStorage):
        return None
    dest = Path(f"{target}.evidence")
    copied = 0
    for key in each(sorted(store.keys())):
        path = store.path(key)
        (dest / path.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest / path.parent.name / key)
        copied += 1
    current_app.logger.info("evidence backup: %d files to %s", copied, dest)
    return copied
