"""readiness summaries count their revisions: each refresh raises it, so a worker that keeps a trainee's computed
path knows, from one small read, whether any of the trainee's facts changed since; role-play evaluators indexed
by evaluator, for the header's badge on every page of a mentor or head

Revision ID: 4e7a2c9d1b35
Revises: 3c8e5a1d7b20
Create Date: 2026-11-30 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4e7a2c9d1b35'
down_revision = '3c8e5a1d7b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('readiness_summaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('role_play_evaluators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_play_evaluators_evaluator_id'), ['evaluator_id'], unique=False)


def downgrade():
    with op.batch_alter_table('role_play_evaluators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_play_evaluators_evaluator_id'))
    with op.batch_alter_table('readiness_summaries', schema=None) as batch_op:
        batch_op.drop_column('revision')
