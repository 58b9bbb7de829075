"""quiz attempts by quiz and state: the question statistics and their fingerprint read a quiz's graded attempts
without scanning every attempt

Revision ID: 7b3d9e2f1a64
Revises: 5c2e8f0a7d41
Create Date: 2026-11-30 14:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7b3d9e2f1a64'
down_revision = '5c2e8f0a7d41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempts_quiz_state', ['quiz_slug', 'state'], unique=False)


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempts_quiz_state')
