"""What the content files become: frozen dataclasses, loaded once per content version."""
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

LOCALE = re.compile(r"^[a-z]{2,3}(?:_[A-Z]{2})?$")

#: The stage that ends with the role-play certification (path.progress.requirements_from's
#: role_play_stage); only its checklist tasks and quizzes may be marked `before_role_play`.
ROLE_PLAY_STAGE = 3


def split_locale(path: Path):
    """('welcome', 'ar') for a translation such as welcome.ar.md; None for an original."""
    stem, dot, locale = Path(path).stem.rpartition(".")
    return (stem, locale) if dot and stem and LOCALE.match(locale) else None


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a content file, printed as `path:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content files are invalid; `problems` says where and why."""

    def __init__(self, problems):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Settings:
    """The configuration the content depends on: figures the `{{ role_play.* }}` directives show and the
    number of scenarios check-content requires.

    The app builds it once from its config (ROLE_PLAY_ATTEMPTS, ROLE_PLAY_EVALUATORS), so it is constant for the
    app's lifetime; it is also part of the content version (module versions and the loader's cache), so a
    different value renders the modules again. The defaults are the config's, for loading without Flask.
    """

    role_play_attempts: int = 2  # attempts at the role-play certification; each needs its own scenario
    role_play_evaluators: int = 2  # colleagues who play the client and score each attempt

    @classmethod
    def from_config(cls, config) -> "Settings":
        """The settings of a Flask config (or any mapping); missing keys keep the defaults."""
        return cls(role_play_attempts=config.get("ROLE_PLAY_ATTEMPTS", cls.role_play_attempts),
                   role_play_evaluators=config.get("ROLE_PLAY_EVALUATORS", cls.role_play_evaluators))

    def key(self) -> str:
        """A stable text for version digests."""
        return f"role_play_attempts={self.role_play_attempts};role_play_evaluators={self.role_play_evaluators}"


@dataclass(frozen=True)
class Competitor:
    name: str
    comparison: str


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    profitability: int
    summary: str
    specs: tuple  # of (label, value)
    packaging: str
    pack_size: int
    stock: int | None  # None: a service, nothing to stock
    lead_time_in_stock_days: int
    lead_time_out_of_stock_days: int
    conditions_of_use: str
    options: tuple
    alternatives: tuple
    competitors: tuple  # of Competitor


@dataclass(frozen=True)
class Catalog:
    stock_as_of: date
    warehouse: str
    products: dict  # sku -> Product, in file order


@dataclass(frozen=True)
class Module:
    slug: str
    stage: int
    order: int
    title: str
    minutes: int
    prerequisites: tuple
    summary: str
    html: str
    toc: str
    version: str
    path: str
    words: int
    locale: str = ""  # the language of this text: "" for the original, else the translation's (e.g. "ar")
    #: The front matter's `requires_reread: true`: a completion of an earlier version no longer counts.
    requires_reread: bool = False


@dataclass(frozen=True)
class Stage:
    number: int
    title: str
    summary: str
    planned_days: int
    modules: tuple  # of Module, by order
    quizzes: tuple = ()  # of Quiz, by title
    checklist: object = None  # practice.Checklist of the tasks the mentor signs off

    @property
    def module_slugs(self) -> tuple:
        return tuple(m.slug for m in self.modules)

    @property
    def minutes(self) -> int:
        return sum(m.minutes for m in self.modules)


@dataclass(frozen=True)
class Document:
    slug: str
    title: str
    effective: date
    approved_by: str
    html: str
    toc: str
    version: str  # covers the original and every translation: a signature names the exact text read
    path: str
    locale: str = ""


@dataclass(frozen=True)
class CareerLevel:
    """One career level after the onboarding (content/career-levels.yaml)."""

    key: str
    number: int  # 1, 2, 3...: the first is where a person approved for independent work starts
    name: str
    minimum_months: int  # months of independent work before a promotion to this level may be recorded
    skills: tuple  # of str
    evidence: tuple  # of str: what a promotion to this level is decided on
    locale: str = ""


@dataclass(frozen=True)
class Curriculum:
    stages: tuple  # of Stage, by number
    modules: dict  # slug -> Module
    job_description: Document
    catalog: Catalog
    price_list: object  # pricing.PriceList
    version: str
    files: tuple = ()  # signature of the folders it was loaded from, to notice edits
    quizzes: dict = None  # slug -> Quiz
    scenarios: dict = None  # slug -> practice.Scenario
    translations: dict = None  # locale -> {"modules", "stages", "quizzes", "document"} in that language
    settings: Settings = Settings()  # the configuration it was loaded (and its directives rendered) with
    career_levels: tuple = ()  # of CareerLevel, by number; () when the content has no career-levels.yaml

    @property
    def tasks(self) -> dict:
        """Every checklist task by id."""
        return {t.id: t for s in self.stages if s.checklist for t in s.checklist.tasks}

    @property
    def quiz_list(self) -> list:
        return [q for s in self.stages for q in s.quizzes]

    def stage(self, number: int) -> Stage | None:
        return next((s for s in self.stages if s.number == number), None)

    def neighbours(self, slug: str):
        """The modules before and after this one on the whole path."""
        ordered = [m for s in self.stages for m in s.modules]
        i = next(i for i, m in enumerate(ordered) if m.slug == slug)
        return (ordered[i - 1] if i > 0 else None, ordered[i + 1] if i + 1 < len(ordered) else None)
