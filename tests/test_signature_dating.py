"""When stage 1 counts as complete for the cohort's "time in each stage": the day its last requirement was met,
with the job description's signature dated by the first signature that met it (path.progress._signed_on), not by a
later version signed again. The rule alone, at the document's effective date and either side of it, and the facts
the database gives it (mentoring.services.facts_by_user)."""
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from onboarding.extensions import db
from onboarding.mentoring.models import Acknowledgement
from onboarding.path.progress import COMPLETE, OPEN, StageRequirements, TraineeFacts, compute_progress

EFFECTIVE = date(2026, 7, 1)  # the current version of the job description took effect
START = date(2026, 5, 4)
FIRST = StageRequirements(1, "Company", 5, (("hello", ()),), needs_signature=True, signature_effective=EFFECTIVE)
LATER = StageRequirements(2, "Product", 10, (("range", ()),))


def _stage_one(read_on: date, first: date | None, current: date | None, stage=FIRST, signed_now=True):
    dates = {"module:hello": read_on, "module:range": read_on + timedelta(days=3)}
    dates.update({key: day for key, day in (("signature", first), ("signature:current", current)) if day})
    facts = TraineeFacts(START, completed_modules=frozenset({"hello", "range"}), signature_current=signed_now,
                         dates=dates)
    return compute_progress((stage, LATER), facts, date(2026, 12, 2)).stages[0]


def test_work_done_before_the_current_version_took_effect_is_dated_by_the_first_signature():
    # read before the new version, signed the old one the day after; the new one signed in November
    stage = _stage_one(EFFECTIVE - timedelta(days=10), EFFECTIVE - timedelta(days=9), date(2026, 11, 20))
    assert stage.state == COMPLETE and stage.completed_on == EFFECTIVE - timedelta(days=9)


@pytest.mark.parametrize("read_on", [EFFECTIVE, EFFECTIVE + timedelta(days=3)])
def test_work_done_under_the_current_version_waits_for_its_signature(read_on):
    """At the effective date itself and after it, the old version's signature no longer met the requirement."""
    stage = _stage_one(read_on, EFFECTIVE - timedelta(days=20), EFFECTIVE + timedelta(days=5))
    assert stage.completed_on == EFFECTIVE + timedelta(days=5)


def test_the_day_before_the_effective_date_is_still_under_the_version_then_in_force():
    stage = _stage_one(EFFECTIVE - timedelta(days=1), EFFECTIVE - timedelta(days=20), EFFECTIVE + timedelta(days=5))
    assert stage.completed_on == EFFECTIVE - timedelta(days=1)


def test_a_signature_after_the_work_dates_the_stage_whichever_rule_applies():
    assert _stage_one(EFFECTIVE - timedelta(days=30), EFFECTIVE - timedelta(days=2), None,
                      signed_now=True).completed_on == EFFECTIVE - timedelta(days=2)
    assert _stage_one(EFFECTIVE + timedelta(days=1), EFFECTIVE + timedelta(days=8), EFFECTIVE + timedelta(days=8)
                      ).completed_on == EFFECTIVE + timedelta(days=8)


def test_without_an_effective_date_the_first_signature_dates_the_stage():
    stage = replace(FIRST, signature_effective=None)
    assert _stage_one(EFFECTIVE, EFFECTIVE - timedelta(days=20), EFFECTIVE + timedelta(days=90),
                      stage=stage).completed_on == EFFECTIVE


def test_without_the_current_version_signed_the_stage_is_not_complete_whatever_was_signed_before():
    stage = _stage_one(EFFECTIVE - timedelta(days=10), EFFECTIVE - timedelta(days=9), None, signed_now=False)
    assert stage.state == OPEN and stage.completed_on is None


def test_the_facts_date_the_first_signature_and_the_current_versions_first_under_any_name(app, make_user):
    from onboarding.auth.models import User
    from onboarding.mentoring.services import facts_by_user

    uid = make_user("trainee", name="Sam Before")
    at = lambda day: datetime.combine(day, datetime.min.time(), timezone.utc)  # noqa: E731
    with app.app_context():
        doc = app.extensions["curriculum"].job_description
        for version, name, day, document in (("0ld" * 5, "Sam Before", date(2026, 3, 2), doc.slug),
                                             (doc.version, "Sam Before", date(2026, 10, 5), doc.slug),
                                             (doc.version, "Sam After", date(2026, 11, 9), doc.slug),
                                             (doc.version, "Sam After", date(2026, 1, 7), "another-document")):
            db.session.add(Acknowledgement(trainee_id=uid, document=document, version=version, typed_name=name,
                                           signed_at=at(day)))
        db.session.get(User, uid).full_name = "Sam After"  # renamed, and signed again under the new name
        db.session.commit()
        facts = facts_by_user([uid], doc)[uid]
        # another document's signature (January) dates nothing; the rename's signature is not the first
        assert facts["dates"]["signature"] == date(2026, 3, 2)
        assert facts["dates"]["signature:current"] == date(2026, 10, 5)
        assert facts["signature_current"] is True
        db.session.execute(sa.delete(Acknowledgement).where(Acknowledgement.typed_name == "Sam After"))
        db.session.commit()
        assert facts_by_user([uid], doc)[uid]["signature_current"] is False  # the old name no longer counts
