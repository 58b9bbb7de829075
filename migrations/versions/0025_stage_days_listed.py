"""the stored days per stage carry whether their trainee is listed (an active trainee account), copied from the
summary, so the cohort's histogram of days per stage reads one covering index instead of every listed summary

Revision ID: 9c2f6a1e3d57
Revises: 7b1d9e4f2a60
Create Date: 2026-12-01 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c2f6a1e3d57'
down_revision = '7b1d9e4f2a60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('readiness_stage_days', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_readiness_stage_days_listed', ['listed', 'stage', 'days'], unique=False)
    # The copy of the rows already stored, as the next refresh would write it: the summary's own.
    days = sa.table('readiness_stage_days', sa.column('trainee_id', sa.Integer), sa.column('listed', sa.Boolean))
    summaries = sa.table('readiness_summaries', sa.column('trainee_id', sa.Integer), sa.column('listed', sa.Boolean))
    listed = (sa.select(sa.func.count()).select_from(summaries)
              .where(summaries.c.trainee_id == days.c.trainee_id, summaries.c.listed.is_(True)).scalar_subquery())
    op.execute(days.update().values(listed=listed > 0))


def downgrade():
    with op.batch_alter_table('readiness_stage_days', schema=None) as batch_op:
        batch_op.drop_index('ix_readiness_stage_days_listed')
        batch_op.drop_column('listed')
