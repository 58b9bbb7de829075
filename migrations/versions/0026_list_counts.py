"""the lists' counts kept as data: listed trainees per status and stage (with how many are ready and how many wait
on a decision), per status, stage and the day they fall behind plan, and per status and mentor, so the head's
dashboard, the cohort and the API list read a few rows instead of counting every summary

Revision ID: 5d3b8f0a6c12
Revises: 9c2f6a1e3d57
Create Date: 2026-12-02 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d3b8f0a6c12'
down_revision = '9c2f6a1e3d57'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'readiness_stage_counts',
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('stage', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('trainees', sa.Integer(), nullable=False),
        sa.Column('ready', sa.Integer(), nullable=False),
        sa.Column('decisions', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('status', 'stage', name=op.f('pk_readiness_stage_counts')))
    op.create_table(
        'readiness_behind_counts',
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('stage', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('behind_after', sa.Date(), nullable=False),
        sa.Column('trainees', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('status', 'stage', 'behind_after', name=op.f('pk_readiness_behind_counts')))
    op.create_table(
        'readiness_mentor_counts',
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('mentor', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('trainees', sa.Integer(), nullable=False),
        sa.Column('waiting', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('status', 'mentor', name=op.f('pk_readiness_mentor_counts')))
    # The counts of the summaries already stored, as readiness.tallies.recount makes them.
    s = sa.table('readiness_summaries', *(sa.column(name) for name in (
        'listed', 'status', 'current_stage', 'behind_after', 'ready', 'waits_head', 'mentor_id', 'waits_mentor')))
    listed = s.c.listed == sa.true()
    status, stage = sa.func.coalesce(s.c.status, ''), sa.func.coalesce(s.c.current_stage, 0)
    ones = sa.func.count()
    op.execute(sa.table('readiness_stage_counts', *(sa.column(n) for n in (
        'status', 'stage', 'trainees', 'ready', 'decisions'))).insert().from_select(
        ['status', 'stage', 'trainees', 'ready', 'decisions'],
        sa.select(status, stage, ones, sa.func.sum(sa.case((s.c.ready == sa.true(), 1), else_=0)),
                  sa.func.sum(sa.case((s.c.waits_head > 0, 1), else_=0))).where(listed).group_by(status, stage)))
    op.execute(sa.table('readiness_behind_counts', *(sa.column(n) for n in (
        'status', 'stage', 'behind_after', 'trainees'))).insert().from_select(
        ['status', 'stage', 'behind_after', 'trainees'],
        sa.select(status, stage, s.c.behind_after, ones).where(listed, s.c.behind_after.is_not(None))
        .group_by(status, stage, s.c.behind_after)))
    mentor = sa.func.coalesce(s.c.mentor_id, 0)
    op.execute(sa.table('readiness_mentor_counts', *(sa.column(n) for n in (
        'status', 'mentor', 'trainees', 'waiting'))).insert().from_select(
        ['status', 'mentor', 'trainees', 'waiting'],
        sa.select(status, mentor, ones, sa.func.coalesce(sa.func.sum(s.c.waits_mentor), 0)).where(listed)
        .group_by(status, mentor)))


def downgrade():
    op.drop_table('readiness_mentor_counts')
    op.drop_table('readiness_behind_counts')
    op.drop_table('readiness_stage_counts')
