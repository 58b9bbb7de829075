"""oral quiz attempts: a quiz asked in a meeting, the examiner recording the points of each question

Revision ID: 9a3e6f1c2b58
Revises: 5d7c2a91e0f4
Create Date: 2026-11-30 11:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a3e6f1c2b58'
down_revision = '5d7c2a91e0f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=8), nullable=False, server_default='written'))
        batch_op.create_check_constraint('mode', "mode IN ('written', 'oral')")


def downgrade():
    op.execute("DELETE FROM quiz_attempts WHERE mode = 'oral'")
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_quiz_attempts_mode'), type_='check')
        batch_op.drop_column('mode')
