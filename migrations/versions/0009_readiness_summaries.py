"""readiness summaries: what the path rules computed for each trainee, so the head's lists work in SQL

The table starts empty: a trainee without a summary is computed the first time a list reads it, and
`flask --app app rebuild-summaries` computes them all at once.

Revision ID: b6ba00ab1a96
Revises: 8e4b1d6f2a93
Create Date: 2026-11-30 08:19:34

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6ba00ab1a96'
down_revision = '8e4b1d6f2a93'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('readiness_summaries',
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('current_stage', sa.SmallInteger(), nullable=True),
    sa.Column('progress_percent', sa.SmallInteger(), nullable=False),
    sa.Column('behind_after', sa.Date(), nullable=True),
    sa.Column('ready', sa.Boolean(), nullable=False),
    sa.Column('gates_met', sa.SmallInteger(), nullable=False),
    sa.Column('gates_total', sa.SmallInteger(), nullable=False),
    sa.Column('forecast_basis', sa.String(length=12), nullable=False),
    sa.Column('forecast_date', sa.Date(), nullable=True),
    sa.Column('role_play', sa.String(length=12), nullable=False),
    sa.Column('role_play_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waits_trainee', sa.SmallInteger(), nullable=False),
    sa.Column('waits_mentor', sa.SmallInteger(), nullable=False),
    sa.Column('waits_head', sa.SmallInteger(), nullable=False),
    sa.Column('week_calls', sa.Integer(), nullable=False),
    sa.Column('week_meetings', sa.Integer(), nullable=False),
    sa.Column('rules_version', sa.String(length=100), nullable=False),
    sa.Column('computed_on', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_readiness_summaries_trainee_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('trainee_id', name=op.f('pk_readiness_summaries'))
    )
    with op.batch_alter_table('readiness_summaries', schema=None) as batch_op:
        batch_op.create_index('ix_readiness_summaries_behind', ['behind_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_readiness_summaries_computed_on'), ['computed_on'], unique=False)
        batch_op.create_index('ix_readiness_summaries_forecast', ['forecast_date'], unique=False)
        batch_op.create_index('ix_readiness_summaries_stage', ['current_stage', 'progress_percent'], unique=False)

    op.create_table('readiness_stage_days',
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.SmallInteger(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_readiness_stage_days_trainee_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('trainee_id', 'stage', name=op.f('pk_readiness_stage_days'))
    )
    with op.batch_alter_table('readiness_stage_days', schema=None) as batch_op:
        batch_op.create_index('ix_readiness_stage_days_stage', ['stage', 'days'], unique=False)

    with op.batch_alter_table('trainee_records', schema=None) as batch_op:
        batch_op.create_index('ix_trainee_records_status_start', ['status', 'start_date'], unique=False)



def downgrade():
    with op.batch_alter_table('trainee_records', schema=None) as batch_op:
        batch_op.drop_index('ix_trainee_records_status_start')

    with op.batch_alter_table('readiness_stage_days', schema=None) as batch_op:
        batch_op.drop_index('ix_readiness_stage_days_stage')

    op.drop_table('readiness_stage_days')
    with op.batch_alter_table('readiness_summaries', schema=None) as batch_op:
        batch_op.drop_index('ix_readiness_summaries_stage')
        batch_op.drop_index('ix_readiness_summaries_forecast')
        batch_op.drop_index(batch_op.f('ix_readiness_summaries_computed_on'))
        batch_op.drop_index('ix_readiness_summaries_behind')

    op.drop_table('readiness_summaries')
