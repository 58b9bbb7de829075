"""Progress rules: where a trainee stands on the four-stage path.

Pure functions of the curriculum's requirements and the trainee's facts; no
Flask and no database, so the same rules serve every page, the API and tests.
A stage is complete when its modules are done, its quizzes passed and its
checklist signed off (stage 1 also needs the current job description signed,
stage 3 the role-play passed); stage 1 is open from the start and each later
stage opens when the one before is complete. Stage 2 (cold calling) ends with
the go / no-go decision: it is complete only after a go, so stage 3 waits for
the decision once the work is done, and stays closed after a no-go. A quiz
opens when its stage is open and the modules it covers are read.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

COMPLETE, OPEN, LOCKED = "complete", "open", "locked"
GO, NO_GO = "go", "no_go"  # the verdicts of the decision after cold calling (readiness.models.GO_VERDICTS)
PENDING = "pending"  # a stage that waits for the go / no-go decision: the work before it is done, no decision yet


@dataclass(frozen=True)
class StageRequirements:
    """What one stage asks for, taken from the content files."""

    number: int
    title: str
    planned_days: int
    modules: tuple  # of (slug, prerequisites tuple), in reading order
    quizzes: tuple = ()  # quiz slugs
    tasks: tuple = ()  # checklist task ids the mentor signs off
    needs_signature: bool = False  # the current job description, signed
    signature_effective: date | None = None  # the day the current version took effect (dates the signature)
    needs_role_play: bool = False  # the role-play certification, passed
    needs_go: bool = False  # the go / no-go decision after this stage, a go
    quiz_modules: tuple = ()  # of (quiz slug, the module slugs it covers)


@dataclass(frozen=True)
class TraineeFacts:
    """What the trainee has done, taken from their rows."""

    start_date: date
    completed_modules: frozenset = field(default_factory=frozenset)
    passed_quizzes: frozenset = field(default_factory=frozenset)
    blocked_quizzes: frozenset = field(default_factory=frozenset)  # every attempt used, none passed
    awaiting_quizzes: frozenset = field(default_factory=frozenset)  # submitted, a person still grades it
    signed_tasks: frozenset = field(default_factory=frozenset)
    signature_current: bool = False
    role_play_passed: bool = False
    go_decision: str | None = None  # GO, NO_GO, or None while nobody has decided
    #: When each requirement was met: "module:slug", "quiz:slug", "task:id", "role-play", "go"; and the job
    #: description's signatures: "signature" (the first, of any version) and "signature:current" (the first of the
    #: current version, under any name), which `_completed_on` chooses between.
    dates: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StageProgress:
    number: int
    title: str
    state: str
    modules_done: int
    modules_total: int
    planned_start: date
    planned_end: date
    overdue: bool
    locked_reason: str | None  # the title of the stage to finish first
    quizzes_passed: int = 0
    quizzes_total: int = 0
    blocked_quizzes: tuple = ()
    tasks_signed: int = 0
    tasks_total: int = 0
    needs_signature: bool = False
    signature_current: bool = False
    needs_role_play: bool = False
    role_play_passed: bool = False
    completed_on: date | None = None  # the day its last requirement was met
    needs_go: bool = False  # it ends with the go / no-go decision
    go_decision: str | None = None  # that decision (GO or NO_GO), None while nobody has decided
    decision_due: bool = False  # its work is done and the go / no-go decision is not taken yet
    #: A stage kept locked by the decision after the stage before it: PENDING (not taken yet) or NO_GO.
    waits_for_decision: str | None = None

    @property
    def steps_done(self) -> int:
        return (self.modules_done + self.quizzes_passed + self.tasks_signed
                + (self.needs_signature and self.signature_current) + (self.needs_role_play and self.role_play_passed))

    @property
    def steps_total(self) -> int:
        return self.modules_total + self.quizzes_total + self.tasks_total + self.needs_signature + self.needs_role_play

    @property
    def percent(self) -> int:
        return 100 if not self.steps_total else round(100 * self.steps_done / self.steps_total)

    @property
    def blocked(self) -> bool:
        return bool(self.blocked_quizzes)


@dataclass(frozen=True)
class Progress:
    stages: tuple  # of StageProgress
    current_stage: int | None  # None once every stage is complete
    next_module: str | None  # the slug to open next, None when nothing is left to read
    modules_done: int
    modules_total: int
    days_since_start: int
    next_quiz: str | None = None  # the quiz to take next, once the stage's modules are read

    @property
    def steps_done(self) -> int:
        return sum(s.steps_done for s in self.stages)

    @property
    def steps_total(self) -> int:
        return sum(s.steps_total for s in self.stages)

    @property
    def percent(self) -> int:
        return 100 if not self.steps_total else round(100 * self.steps_done / self.steps_total)

    @property
    def blocked(self) -> bool:
        return any(s.blocked for s in self.stages)

    @property
    def complete(self) -> bool:
        return self.current_stage is None

    @property
    def overdue(self) -> bool:
        return any(s.overdue for s in self.stages)

    def stage(self, number: int) -> StageProgress:
        return next(s for s in self.stages if s.number == number)

    @property
    def go_due(self) -> bool:
        """The work of the cold-calling stage is done and the go / no-go decision is not taken yet."""
        return any(s.decision_due for s in self.stages)

    @property
    def go_decision(self) -> str | None:
        return next((s.go_decision for s in self.stages if s.needs_go), None)


def planned_windows(stages, start: date):
    """(planned start, planned end) of each stage: the stages follow each other from the start date."""
    windows, begin = [], start
    for stage in stages:
        end = begin + timedelta(days=stage.planned_days)
        windows.append((begin, end))
        begin = end
    return windows


def module_available(slug_prerequisites: tuple, completed: frozenset) -> bool:
    return all(p in completed for p in slug_prerequisites)


@dataclass(frozen=True)
class QuizGate:
    """Whether a quiz may be started, and if not, why: as data, for the page to word."""

    unread: tuple = ()  # the modules it covers that are not read yet, in the quiz's order
    locked_stage: int | None = None  # the quiz's stage, while that stage is locked

    @property
    def open(self) -> bool:
        return self.locked_stage is None and not self.unread


def quiz_gate(stage: int, modules, completed, stage_locked: bool) -> QuizGate:
    """A quiz opens when its stage is open and every module it covers (the quiz file's `modules:`) is read."""
    unread = tuple(dict.fromkeys(slug for slug in modules if slug not in completed))
    return QuizGate(unread=unread, locked_stage=stage if stage_locked else None)


def compute_progress(stages, facts: TraineeFacts, today: date) -> Progress:
    """The trainee's whole path on the given day."""
    done = facts.completed_modules
    result, previous_complete, current, next_module, next_quiz = [], True, None, None, None
    for stage, (begin, end) in zip(stages, planned_windows(stages, facts.start_date)):
        slugs = [slug for slug, _ in stage.modules]
        count = sum(1 for s in slugs if s in done)
        passed = [q for q in stage.quizzes if q in facts.passed_quizzes]
        signed = [t for t in stage.tasks if t in facts.signed_tasks]
        work_done = (count == len(slugs) and len(passed) == len(stage.quizzes) and len(signed) == len(stage.tasks)
                     and (facts.signature_current or not stage.needs_signature)
                     and (facts.role_play_passed or not stage.needs_role_play))
        is_complete = work_done and (facts.go_decision == GO or not stage.needs_go)
        if not previous_complete:
            state = LOCKED
        elif is_complete:
            state = COMPLETE
        else:
            state = OPEN
        if state == OPEN and current is None:
            current = stage.number
            unread = [s for s in slugs if s not in done]
            if unread:
                next_module = next((slug for slug, pre in stage.modules
                                    if slug not in done and module_available(pre, done)), unread[0])
            else:
                next_quiz = next((q for q in stage.quizzes if q not in facts.passed_quizzes
                                  and q not in facts.blocked_quizzes and q not in facts.awaiting_quizzes), None)
                missing = quiz_gate(stage.number, dict(stage.quiz_modules).get(next_quiz, ()), done, False).unread
                if missing:  # not open: it covers a module outside this stage; that module, in reading order, first
                    next_module = next((slug for s in stages for slug, _ in s.modules if slug in missing), missing[0])
                    next_quiz = None
        result.append(StageProgress(
            number=stage.number, title=stage.title, state=state, modules_done=count, modules_total=len(slugs),
            planned_start=begin, planned_end=end, overdue=state != COMPLETE and today > end,
            locked_reason=result[-1].title if state == LOCKED and result else None,
            quizzes_passed=len(passed), quizzes_total=len(stage.quizzes),
            blocked_quizzes=tuple(q for q in stage.quizzes if q in facts.blocked_quizzes and state != LOCKED),
            tasks_signed=len(signed), tasks_total=len(stage.tasks),
            needs_signature=stage.needs_signature, signature_current=facts.signature_current,
            needs_role_play=stage.needs_role_play, role_play_passed=facts.role_play_passed,
            completed_on=_completed_on(stage, facts, result[-1].completed_on if result else None)
            if state == COMPLETE else None,
            needs_go=stage.needs_go, go_decision=facts.go_decision if stage.needs_go else None,
            decision_due=stage.needs_go and work_done and facts.go_decision is None and state != LOCKED,
            waits_for_decision=_waits_for_decision(result[-1] if result else None, state),
        ))
        previous_complete = previous_complete and is_complete
    total = sum(len(s.modules) for s in stages)
    done_count = sum(r.modules_done for r in result)
    return Progress(tuple(result), current, next_module, done_count, total, (today - facts.start_date).days,
                    next_quiz)


def _waits_for_decision(previous: StageProgress | None, state: str) -> str | None:
    """Why a locked stage stays locked when the stage before it ends with the go / no-go decision: PENDING while
    that stage's work is done and nobody has decided, NO_GO after a no-go; None otherwise (the work comes first)."""
    if state != LOCKED or previous is None or not previous.needs_go:
        return None
    if previous.go_decision == NO_GO:
        return NO_GO
    return PENDING if previous.decision_due else None


def _completed_on(stage, facts, previous: date | None) -> date | None:
    """The day the stage's last requirement was met (never before the previous stage's completion)."""
    keys = ([f"module:{slug}" for slug, _ in stage.modules] + [f"quiz:{q}" for q in stage.quizzes]
            + [f"task:{t}" for t in stage.tasks]
            + (["role-play"] if stage.needs_role_play else []) + (["go"] if stage.needs_go else []))
    days = [facts.dates[k] for k in keys if k in facts.dates] + ([previous] if previous else [])
    if stage.needs_signature:
        signed = _signed_on(stage.signature_effective, max(days) if days else None, facts.dates)
        days += [signed] if signed else []
    return max(days) if days else None


def _signed_on(effective: date | None, work_done: date | None, dates: dict) -> date | None:
    """The day the signature requirement counts as met for dating the stage. Work done before the current version
    took effect was done under the version in force then: the first signature met it (a new version signed again
    later, even years later, did not make the stage take longer). Work done since needed the current version: its
    first signature (under whatever name the account had then)."""
    first, current = dates.get("signature"), dates.get("signature:current")
    if current is not None and effective is not None and (work_done is None or work_done >= effective):
        return current
    return first


def requirements_from(curriculum, signature_stage: int = 1, role_play_stage: int = 3, go_stage: int = 2) -> tuple:
    """The stage requirements of a loaded curriculum: the job description is signed in stage 1, stage 2 (cold
    calling) ends with a go when a stage follows it, and the role-play is passed in stage 3 (when the curriculum
    has role-play scenarios)."""
    return tuple(StageRequirements(s.number, s.title, s.planned_days,
                                   tuple((m.slug, m.prerequisites) for m in s.modules),
                                   tuple(q.slug for q in s.quizzes),
                                   tuple(t.id for t in s.checklist.tasks) if s.checklist else (),
                                   needs_signature=s.number == signature_stage and curriculum.job_description is not None,
                                   signature_effective=(curriculum.job_description.effective
                                                        if s.number == signature_stage and curriculum.job_description
                                                        else None),
                                   needs_role_play=s.number == role_play_stage and bool(curriculum.scenarios),
                                   needs_go=s.number == go_stage and s is not curriculum.stages[-1],
                                   quiz_modules=tuple((q.slug, tuple(q.modules)) for q in s.quizzes))
                 for s in curriculum.stages)


def stage_durations(progress, start_date) -> dict:
    """{stage number: days it took} for each completed stage: from the previous stage's completion
    (or the start) to its own."""
    result, begin = {}, start_date
    for s in progress.stages:
        if s.completed_on is None:
            break
        result[s.number] = max((s.completed_on - begin).days, 0)
        begin = s.completed_on
    return result


def go_refusal(progress, verdict: str) -> str | None:
    """Why the go / no-go decision cannot be recorded on this path now, as a key the page words; None: it can.
    A no-go may part ways any time the cold-calling stage is open; a go needs its work done; one decision only."""
    stage = next((s for s in progress.stages if s.needs_go), None)
    if verdict not in (GO, NO_GO):
        return "verdict"
    if stage is None:
        return "no_stage"
    if stage.go_decision is not None:
        return "decided"
    if stage.state == LOCKED:
        return "not_open"
    if verdict == GO and not stage.decision_due:
        return "work_not_done"
    return None
