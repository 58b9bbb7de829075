"""grading drafts: points and comments a grader saved before finishing, and who saved them when

Revision ID: 3c9d2e7a5f14
Revises: 6a1f0c2e9b71
Create Date: 2026-12-02 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9d2e7a5f14'
down_revision = '6a1f0c2e9b71'
branch_labels = None
depends_on = None


def upgrade():
    # A draft is kept beside the final grade (mentor_score, comment), never in it: nobody but graders reads it.
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft_points', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('draft_comment', sa.Text(), nullable=True))

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('draft_saved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_quiz_attempts_draft_by_users'), 'users', ['draft_by'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_quiz_attempts_draft_by_users'), type_='foreignkey')
        batch_op.drop_column('draft_saved_at')
        batch_op.drop_column('draft_by')

    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('draft_comment')
        batch_op.drop_column('draft_points')
