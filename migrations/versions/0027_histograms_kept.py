"""the cohort's histograms kept as data: listed trainees per stage and days it took them, and per days from the
start to the head's approval (each summary keeps its ramp-up's days), so the cohort reads a few dozen rows; the
days per stage lose the indexes only the cohort's grouping read

Revision ID: 8e4c1a7b9f25
Revises: 5d3b8f0a6c12
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e4c1a7b9f25'
down_revision = '5d3b8f0a6c12'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('readiness_summaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ramp_days', sa.SmallInteger(), nullable=True))
    with op.batch_alter_table('readiness_stage_days', schema=None) as batch_op:  # no list reads them now
        batch_op.drop_index('ix_readiness_stage_days_listed')
        batch_op.drop_index('ix_readiness_stage_days_stage')
    op.create_table(
        'readiness_days_counts',
        sa.Column('stage', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('days', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('trainees', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('stage', 'days', name=op.f('pk_readiness_days_counts')))
    op.create_table(
        'readiness_ramp_counts',
        sa.Column('days', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('trainees', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('days', name=op.f('pk_readiness_ramp_counts')))
    # The days per stage already stored, counted as readiness.tallies.recount counts them. The ramp-ups start
    # empty, as every summary's new column does: the summaries' shape changed, so each is computed again at the
    # first read and adds its own (the counts change by the difference from what is stored).
    d = sa.table('readiness_stage_days', sa.column('stage'), sa.column('days'), sa.column('listed'))
    op.execute(sa.table('readiness_days_counts', sa.column('stage'), sa.column('days'), sa.column('trainees'))
               .insert().from_select(['stage', 'days', 'trainees'],
                                     sa.select(d.c.stage, d.c.days, sa.func.count()).where(d.c.listed == sa.true())
                                     .group_by(d.c.stage, d.c.days)))


def downgrade():
    op.drop_table('readiness_ramp_counts')
    op.drop_table('readiness_days_counts')
    with op.batch_alter_table('readiness_stage_days', schema=None) as batch_op:
        batch_op.create_index('ix_readiness_stage_days_stage', ['stage', 'days'], unique=False)
        batch_op.create_index('ix_readiness_stage_days_listed', ['listed', 'stage', 'days'], unique=False)
    with op.batch_alter_table('readiness_summaries', schema=None) as batch_op:
        batch_op.drop_column('ramp_days')
