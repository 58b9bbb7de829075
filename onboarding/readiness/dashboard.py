"""The readiness dashboard: every trainee with progress, gates, forecast and what waits on whom.

Filters, sorting, counts and paging run in the database on the stored summaries (readiness.summary), and the
rows shown are read from them too, so a page costs the same at 10 or 10,000 trainees and computes no path.
"""
import json
from dataclasses import dataclass
from datetime import date
from math import ceil
from typing import ClassVar, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..extensions import db, one_of
from ..people.models import TraineeRecord
from ..timeutil import today, utcnow
from ..values import BoundedStore, FrozenMap
from .models import BehindCount, ReadinessSummary, StageCount, role_play_due
from ..path.forecast import Forecast
from .rows import ACTIVE_STATUSES, WAITERS
from .summary import refresh_stale

SORTS = ("name", "stage", "progress", "start", "forecast", "mentor")


@dataclass(frozen=True)
class Filters:
    """What the head asked to see; every field optional."""

    q: str = ""
    mentor: int | None = None  # 0: trainees without a mentor
    stage: int | None = None  # 0: every stage complete
    status: str = "active"  # "active", "all", or one status
    overdue: bool = False
    waits: str = ""  # one of WAITERS
    sort: str = "start"
    descending: bool = True

    #: The query's names the filters are read from (readiness.views.filters_from_args) and written to (as_args).
    QUERY_NAMES: ClassVar[tuple] = ("q", "mentor", "stage", "status", "overdue", "waits", "sort")

    def as_args(self) -> dict:
        """The query-string form, for links (export, pages) that keep the same view."""
        values = (self.q, self.mentor, self.stage, self.status, "1" if self.overdue else None, self.waits,
                  ("-" if self.descending else "") + self.sort)
        return {k: v for k, v in zip(self.QUERY_NAMES, values) if v not in (None, "")}


@dataclass(frozen=True)
class Page:
    """A page of computed rows, with the attributes the pager macro reads."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


class _Shape(NamedTuple):
    """Which filters a dashboard statement has (not their values): the statements of a shape are built once."""

    scoped: bool  # one mentor's trainees (the mentor's own dashboard)
    no_mentor: bool | None  # True: trainees without a mentor; False: one mentor's (a bound value); None: any
    status: str  # "active", "all", or "one" (a bound value)
    searched: bool
    stage_complete: bool | None  # True: every stage complete; False: one stage (a bound value); None: any
    overdue: bool
    waits: str  # "" or one of WAITERS
    sort: str
    descending: bool


def _shape_and_values(filters: Filters, mentor_scope: int | None) -> tuple:
    """(shape, values): which filters the statement has, and the values of its bound parameters. The statements
    of a shape are built once (see _statements); only the values change from one request to the next."""
    shape = _Shape(scoped=mentor_scope is not None,
                   no_mentor=None if filters.mentor is None else filters.mentor == 0,
                   status=filters.status if filters.status in ("active", "all") else "one",
                   searched=bool(filters.q),
                   stage_complete=None if filters.stage is None else filters.stage == 0,
                   overdue=filters.overdue, waits=filters.waits, sort=filters.sort, descending=filters.descending)
    values = {"today": today()}
    if shape.scoped:
        values["mentor_scope"] = mentor_scope
    if shape.no_mentor is False:
        values["mentor"] = filters.mentor
    if shape.status == "one":
        values["status"] = filters.status
    if shape.searched:
        values["like"] = f"%{filters.q.lower()}%"
    if shape.stage_complete is False:
        values["stage"] = filters.stage
    if shape.waits == "evaluators":
        values["now"] = utcnow()
    return shape, values


def _of_status(shape: _Shape, column):
    """The shape's status filter on this column (the summary's copy, or a kept count's); None for every status."""
    if shape.status == "active":
        return one_of(column, ACTIVE_STATUSES)
    if shape.status == "one":
        return column == sa.bindparam("status")
    return None


def _matching(shape: _Shape, trainee=None, mentor=None):
    """The filtered query of a shape (see _shape_and_values), every filter in SQL with bound parameters on the
    summary's own columns (its copies of the status, mentor and start date among them): the counts read that one
    table through an index. Joined to the trainee's record and account (`trainee`) when the rows show them or a
    search reads the name, and to the mentor's account (`mentor`) when the rows show or sort by it."""
    S = ReadinessSummary
    query = sa.select(S).where(S.listed.is_(True))
    if trainee is not None:
        query = (query.join(TraineeRecord, TraineeRecord.user_id == S.trainee_id)
                 .join(trainee, trainee.id == S.trainee_id))
    if mentor is not None:
        query = query.outerjoin(mentor, mentor.id == TraineeRecord.mentor_id)
    if shape.scoped:
        query = query.where(S.mentor_id == sa.bindparam("mentor_scope"))
    if shape.no_mentor is True:
        query = query.where(S.mentor_id.is_(None))
    elif shape.no_mentor is False:
        query = query.where(S.mentor_id == sa.bindparam("mentor"))
    if (status := _of_status(shape, S.status)) is not None:
        query = query.where(status)
    if shape.searched:
        like = sa.bindparam("like")
        query = query.where(sa.or_(sa.func.lower(trainee.full_name).like(like), trainee.email.like(like)))
    if shape.stage_complete is True:
        query = query.where(S.current_stage.is_(None))
    elif shape.stage_complete is False:
        query = query.where(S.current_stage == sa.bindparam("stage"))
    if shape.overdue:
        query = query.where(S.behind_after < sa.bindparam("today"))
    if shape.waits:
        query = query.where(_waiting(shape.waits))
    return query


_BUILT = BoundedStore(512)  # shape -> the dashboard's statements (count, page, export), built once per process


def _statements(shape: _Shape) -> tuple:
    """(counts, page, export) statements of a shape. Building them (joins, filters, aggregates) cost more than
    running them on a thousand trainees, so each shape is built once; requests bind their own values."""
    built = _BUILT.get(shape)
    if built is None:
        trainee, mentor = aliased(User), aliased(User)
        query = _matching(shape, trainee, mentor)
        counts = _kept_counts(shape) if _counts_kept(shape) else _counted(shape)
        ordered = query.order_by(*_order(shape.sort, shape.descending, trainee, mentor))
        page = (ordered.with_only_columns(*_row_columns(trainee, mentor))
                .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
        export = ordered.with_only_columns(*_export_columns(trainee, mentor)).execution_options(yield_per=BATCH)
        built = _BUILT.put(shape, (counts, page, export))
    return built


def _counts_kept(shape: _Shape) -> bool:
    """Whether the shape filters on nothing but what the kept counts are grouped by (status and stage)."""
    return not (shape.scoped or shape.no_mentor is not None or shape.searched or shape.overdue or shape.waits)


def _counted(shape: _Shape):
    """(matching, behind plan, ready, waiting on a decision) counted from the matching summaries (through the
    listing index, and the accounts when searched): a mentor's share, a name, the overdue or the waiting."""
    S = ReadinessSummary
    counted = _matching(shape, aliased(User) if shape.searched else None)  # the summary alone, unless searched
    matching = counted.with_only_columns(S.trainee_id, S.behind_after, S.ready, S.waits_head).subquery()
    return sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(sa.case((matching.c.behind_after < sa.bindparam("today"), 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((matching.c.ready.is_(True), 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((matching.c.waits_head > 0, 1), else_=0)), 0))


def _kept_counts(shape: _Shape):
    """The same four counts read from the counts kept as data (readiness.tallies), for a shape filtered by status
    and stage alone: a few rows summed, however many trainees there are."""
    C, B = StageCount, BehindCount

    def filtered(query, model):
        if (status := _of_status(shape, model.status)) is not None:
            query = query.where(status)
        if shape.stage_complete is True:
            query = query.where(model.stage == 0)
        elif shape.stage_complete is False:
            query = query.where(model.stage == sa.bindparam("stage"))
        return query

    def total(column):
        return sa.func.coalesce(sa.func.sum(column), 0)

    stages = filtered(sa.select(total(C.trainees).label("trainees"), total(C.ready).label("ready"),
                                total(C.decisions).label("decisions")), C).subquery()
    behind = filtered(sa.select(total(B.trainees)).where(B.behind_after < sa.bindparam("today")), B).scalar_subquery()
    return sa.select(stages.c.trainees, behind, stages.c.ready, stages.c.decisions)


def _waiting(who: str):
    S = ReadinessSummary
    return {"trainee": S.waits_trainee > 0, "mentor": S.waits_mentor > 0, "head": S.waits_head > 0,
            # a role-play waits on its evaluators from the moment it starts until it is scored
            "evaluators": sa.and_(S.role_play == "scheduled", S.role_play_at <= sa.bindparam("now"))}[who]


def _order(sort: str, descending: bool, trainee, mentor) -> list:
    """ORDER BY for a sort key; ties keep the default order (newest start first, then name). Sorted by start,
    trainees who started the same day come in the order they were added (latest first when newest first): the
    summary's index on the start date holds that order, so the first page reads 25 rows, not the whole cohort."""
    S = ReadinessSummary
    if sort == "start":
        return [S.start_date.desc(), S.trainee_id.desc()] if descending else [S.start_date, S.trainee_id]
    keys = {
        "name": [sa.func.lower(trainee.full_name)],
        "stage": [sa.func.coalesce(S.current_stage, 99), S.progress_percent],
        "progress": [S.progress_percent],
        # no forecast date reads as the farthest: last going up, first going down
        "forecast": [sa.case((S.forecast_date.is_(None), 1), else_=0), S.forecast_date],
        "mentor": [sa.func.coalesce(sa.func.lower(mentor.full_name), "")],
    }[sort]
    keys = [k.desc() if descending else k.asc() for k in keys]
    return keys + [S.start_date.desc(), trainee.full_name, S.trainee_id]


#: Rows read at a time when every matching row is wanted (the export): memory stays bounded.
BATCH = 500


def team_page(mentor_id: int | None = None, page: int = 1, per_page: int = 25) -> tuple:
    """(page of rows, total) for every active trainee, or one mentor's, newest start first: the API list. Each row
    is plain columns (the trainee's id, e-mail, name, status, dates, current stage, progress, `behind_after`, and
    the mentor's id, name and e-mail or None): no record objects are built for a list of up to 100. A page past
    the last is empty. Two queries whatever the page size."""
    refresh_stale(db.session)
    total_of, page_of = _team_statements(mentor_id is not None)
    values = {"mentor_scope": mentor_id} if mentor_id is not None else {}
    total = db.session.scalar(total_of, values)
    rows = db.session.execute(page_of, {**values, "limit": per_page, "offset": (max(page, 1) - 1) * per_page}).all()
    return rows, total


_team: dict = {}


#: What the API list shows: every trainee on the lists (or one mentor's), newest start first, no other filter.
_API_LIST = {one: _Shape(scoped=one, no_mentor=None, status="all", searched=False, stage_complete=None,
                         overdue=False, waits="", sort="start", descending=True) for one in (False, True)}


def _team_statements(one_mentor: bool) -> tuple:
    """(count, page) statements of the API list, for every trainee or one mentor's: the dashboard's own filter
    (_matching) and order with the API's columns, built once per process."""
    if one_mentor not in _team:
        trainee, mentor, R, shape = aliased(User), aliased(User), TraineeRecord, _API_LIST[one_mentor]
        S = ReadinessSummary
        columns = (R.user_id, trainee.email, trainee.full_name, R.status, R.start_date, R.target_date,
                   S.current_stage, S.progress_percent, S.behind_after, mentor.id.label("mentor_id"),
                   mentor.full_name.label("mentor_full_name"), mentor.email.label("mentor_email"))
        _team[one_mentor] = (
            sa.select(sa.func.count()).select_from(_matching(shape).with_only_columns(S.trainee_id).subquery())
            if one_mentor else sa.select(sa.func.coalesce(sa.func.sum(StageCount.trainees), 0)),  # kept counts
            _matching(shape, trainee, mentor).with_only_columns(*columns)
            .order_by(*_order(shape.sort, shape.descending, trainee, mentor))
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
    return _team[one_mentor]


def export_rows(filters: Filters, mentor_scope: int | None = None):
    """The rows matching the filters, in the dashboard's order, read from the stored summaries as a stream of
    plain columns (the export: nothing computed per trainee, no objects built): see `_export_columns`."""
    refresh_stale(db.session)
    shape, values = _shape_and_values(filters, mentor_scope)
    yield from db.session.execute(_statements(shape)[2], values)


def _export_columns(trainee, mentor) -> list:
    """What the export reads of each trainee (readiness.exports.dashboard_table), by these names."""
    R, S = TraineeRecord, ReadinessSummary
    return [trainee.full_name, trainee.email, R.status, R.team_id, R.start_date, R.target_date,
            mentor.full_name.label("mentor_name"), S.current_stage, S.progress_percent, S.behind_after,
            S.forecast_date, S.role_play, S.role_play_at, S.gates_met, S.gates_total, S.waits_trainee,
            S.waits_mentor, S.waits_head, S.week_calls, S.week_meetings]


@dataclass(frozen=True)
class RecordView:
    """What a dashboard row shows of a trainee's record."""

    user_id: int
    status: str
    start_date: date
    target_date: date


@dataclass(frozen=True)
class PersonView:
    """What a dashboard row shows of a person (the trainee, or their mentor)."""

    id: int
    full_name: str
    active: bool


@dataclass(frozen=True)
class ListRow:
    """One line of the dashboard, read from the stored summary: nothing of the path is computed for it. Plain
    values only (no mapped objects), read as columns: a page builds no record, account or summary objects. Every
    field hashes (the maps are FrozenMaps), so a row is its own key for its kept cells (onboarding.fragments)."""

    record: RecordView
    trainee: PersonView
    mentor: PersonView | None
    current_stage: int | None  # None: every stage complete
    stage_end: date | None  # the open stage's planned end
    steps_done: int
    steps_total: int
    days_since_start: int
    overdue: bool
    blocked: bool
    ready: bool
    waits: FrozenMap  # who -> {what: count} (a FrozenMap too), in WAITERS order
    forecast: Forecast
    role_play: str
    stage4_opened: date | None
    week: FrozenMap  # figure -> (done last full week, weekly target)


#: The summary's columns a dashboard row reads, in the order list_row unpacks them.
_SHOWN = ("current_stage", "stage_end", "steps_done", "steps_total", "overdue", "blocked", "ready", "waits",
          "forecast_basis", "forecast_date", "role_play", "role_play_at", "stage4_opened", "week")


_AS_TEXT = ("waits", "week")  # read as their JSON text: a page's rows as read are plain values, their own key
_LEADING = 9  # the record's, the trainee's and the mentor's columns, read before the summary's (_SHOWN)
_ROLE_PLAY, _ROLE_PLAY_AT = _LEADING + _SHOWN.index("role_play"), _LEADING + _SHOWN.index("role_play_at")


def _row_columns(trainee, mentor) -> list:
    """The columns of a dashboard row (see list_row), labelled so the trainee's and the mentor's do not clash."""
    R, S = TraineeRecord, ReadinessSummary
    return [R.user_id, R.status, R.start_date, R.target_date, trainee.full_name.label("trainee_name"),
            trainee.active.label("trainee_active"), mentor.id.label("mentor_id"),
            mentor.full_name.label("mentor_name"), mentor.active.label("mentor_active"),
            *(sa.cast(getattr(S, name), sa.Text).label(name) if name in _AS_TEXT else getattr(S, name)
              for name in _SHOWN)]


def list_row(found, on: date, now) -> ListRow:
    """The row of the columns `_row_columns` reads; a scheduled role-play whose time has come is due, and waits on
    its evaluators, at the moment of reading. What waits on whom and last week's figures come as their JSON text.
    (The columns are unpacked in their order: reading 23 of them by name cost more than the rest of the row.)"""
    (user_id, status, start_date, target_date, trainee_name, trainee_active, mentor_id, mentor_name, mentor_active,
     current_stage, stage_end, steps_done, steps_total, overdue, blocked, ready, stored_waits, forecast_basis,
     forecast_date, role_play, role_play_at, stage4_opened, week) = found
    due = role_play_due(role_play, role_play_at, now)
    stored, week = json.loads(stored_waits or "null") or {}, json.loads(week or "null") or {}
    return ListRow(
        RecordView(user_id, status, start_date, target_date), PersonView(user_id, trainee_name, trainee_active),
        None if mentor_id is None else PersonView(mentor_id, mentor_name, mentor_active),
        current_stage, stage_end, steps_done, steps_total, (on - start_date).days, overdue, blocked, ready,
        FrozenMap((who, FrozenMap(({"role_play": 1} if due else {}) if who == "evaluators" else stored.get(who, {})))
                  for who in WAITERS),
        Forecast(forecast_basis, forecast_date, target_date), "due" if due else role_play, stage4_opened,
        FrozenMap((figure, tuple(pair)) for figure, pair in week.items()))


class ListRows:
    """A page of dashboard rows as read, a sequence of ListRows made when something first reads them: a page of
    rows kept whole (readiness.views.team_rows) is found under `key` and never made. The key holds all the rows are
    made from: the columns as read (plain tuples, the JSON as its text), the day, and whose role-play is due now.
    Two pages of the same key are equal and hash alike, so the page is its own key (onboarding.fragments)."""

    __slots__ = ("found", "on", "now", "key", "_made")

    def __init__(self, found: tuple, on: date, now):
        self.found, self.on, self.now, self._made = found, on, now, None
        self.key = (on, tuple(role_play_due(f[_ROLE_PLAY], f[_ROLE_PLAY_AT], now) for f in found), found)

    def _rows(self) -> list:
        if self._made is None:
            self._made = [list_row(found, self.on, self.now) for found in self.found]
        return self._made

    def __len__(self):
        return len(self.found)

    def __iter__(self):
        return iter(self._rows())

    def __getitem__(self, index):
        return self._rows()[index]

    def __eq__(self, other):
        return isinstance(other, ListRows) and self.key == other.key

    def __hash__(self):
        return hash(self.key)


def dashboard(filters: Filters, mentor_scope: int | None = None, page: int = 1, per_page: int = 25):
    """(Page of ListRows, summary counts) for the filters."""
    refresh_stale(db.session)
    shape, values = _shape_and_values(filters, mentor_scope)
    counts, rows_of, _export = _statements(shape)
    total, overdue, ready, decisions = db.session.execute(counts, values).one()
    summary = {"total": total, "overdue": overdue, "ready": ready, "decisions_due": decisions}
    page = max(1, min(page, max(1, ceil(total / per_page))))
    on, now = values["today"], utcnow()
    found = db.session.connection().execute(rows_of, {**values, "limit": per_page, "offset": (page - 1) * per_page})
    return Page(ListRows(tuple(map(tuple, found)), on, now), page, per_page, total), summary
