"""stage 4's activity room: the weekly scorecard of the seven criteria, the monthly plan, and deals moved to the
next month

Revision ID: 7d4b1e9c3a62
Revises: 7d3a9c1e5b20
Create Date: 2026-11-30 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d4b1e9c3a62'
down_revision = '7d3a9c1e5b20'
branch_labels = None
depends_on = None

CRITERIA = "'events', 'rhythm', 'referrals', 'meetings', 'decision_maker', 'plan', 'funnel'"
VERDICTS = "'met', 'partly', 'not_met'"
PLAN_FIGURES = ('applications', 'orders', 'deals', 'revenue', 'revenue_booked')


def upgrade():
    op.create_table('scorecards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('week_of', sa.Date(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_scorecards_decided_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_scorecards_trainee_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecards')),
    sa.UniqueConstraint('trainee_id', 'week_of', name='uq_scorecards_trainee_week')
    )
    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scorecards_trainee_id'), ['trainee_id'], unique=False)

    op.create_table('scorecard_verdicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.String(length=20), nullable=False),
    sa.Column('prefill', sa.String(length=8), nullable=True),
    sa.Column('prefill_data', sa.JSON(), nullable=False),
    sa.Column('verdict', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint(f"criterion IN ({CRITERIA})", name=op.f('ck_scorecard_verdicts_criterion')),
    sa.CheckConstraint(f"verdict IN ({VERDICTS})", name=op.f('ck_scorecard_verdicts_verdict')),
    sa.CheckConstraint(f"prefill IS NULL OR prefill IN ({VERDICTS})", name=op.f('ck_scorecard_verdicts_prefill')),
    sa.ForeignKeyConstraint(['scorecard_id'], ['scorecards.id'], name=op.f('fk_scorecard_verdicts_scorecard_id_scorecards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_verdicts')),
    sa.UniqueConstraint('scorecard_id', 'criterion', name='uq_scorecard_verdicts_criterion')
    )
    with op.batch_alter_table('scorecard_verdicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scorecard_verdicts_scorecard_id'), ['scorecard_id'], unique=False)

    op.create_table('monthly_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('applications', sa.Integer(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('deals', sa.Integer(), nullable=False),
    sa.Column('revenue', sa.Integer(), nullable=False),
    sa.Column('revenue_booked', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    *(sa.CheckConstraint(f"{f} >= 0", name=op.f(f'ck_monthly_plans_{f}_not_negative')) for f in PLAN_FIGURES),
    sa.ForeignKeyConstraint(['set_by'], ['users.id'], name=op.f('fk_monthly_plans_set_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_monthly_plans_trainee_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_plans')),
    sa.UniqueConstraint('trainee_id', 'month', name='uq_monthly_plans_trainee_month')
    )
    with op.batch_alter_table('monthly_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_plans_trainee_id'), ['trainee_id'], unique=False)

    op.create_table('moved_deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('client', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_moved_deals_recorded_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_moved_deals_trainee_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moved_deals'))
    )
    with op.batch_alter_table('moved_deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moved_deals_trainee_id'), ['trainee_id'], unique=False)


def downgrade():
    for table in ('moved_deals', 'monthly_plans', 'scorecard_verdicts', 'scorecards'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{"scorecard_id" if table == "scorecard_verdicts" else "trainee_id"}'))
        op.drop_table(table)
