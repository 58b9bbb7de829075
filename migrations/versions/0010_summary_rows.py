"""the dashboard row and the inbox badge read from the summary: steps, the open stage's end, flags, waits by
kind, last week's figures against targets, and the inbox items a trainee puts before their mentor and the heads

Existing summaries are recomputed the next time a list reads them (readiness.summary.SHAPE is raised with this
revision), or at once with `flask --app app rebuild-summaries`.

Revision ID: bd84e54da74d
Revises: b6ba00ab1a96
Create Date: 2026-11-30 10:53:12

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bd84e54da74d'
down_revision = 'b6ba00ab1a96'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('readiness_summaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('steps_done', sa.SmallInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('steps_total', sa.SmallInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('stage_end', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('stage4_opened', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('overdue', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('blocked', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('waits', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('week', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('inbox_mentor', sa.SmallInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('inbox_head', sa.SmallInteger(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_readiness_summaries_inbox_head'), ['inbox_head'], unique=False)
    with op.batch_alter_table('readiness_summaries', schema=None) as batch_op:
        for name in ('steps_done', 'steps_total', 'overdue', 'blocked', 'waits', 'week', 'inbox_mentor',
                     'inbox_head'):
            batch_op.alter_column(name, server_default=None)


def downgrade():
    with op.batch_alter_table('readiness_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_readiness_summaries_inbox_head'))
        for name in ('inbox_head', 'inbox_mentor', 'week', 'waits', 'blocked', 'overdue', 'stage4_opened',
                     'stage_end', 'steps_total', 'steps_done'):
            batch_op.drop_column(name)
