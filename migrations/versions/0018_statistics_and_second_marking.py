"""quiz attempts by quiz and state: the question statistics and their fingerprint read a quiz's graded attempts
without scanning every attempt; second markings: a head of sales picks a graded attempt for a blind second
marking of its written answers by another grader

Revision ID: 7b3d9e2f1a64
Revises: 7d4b1e9c3a62
Create Date: 2026-11-30 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3d9e2f1a64'
down_revision = '7d4b1e9c3a62'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempts_quiz_state', ['quiz_slug', 'state'], unique=False)
    op.create_table('second_markings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('marker_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.JSON(), nullable=True),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=8), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint(sa.text("outcome IN ('first', 'second')"), name=op.f('ck_second_markings_outcome')),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'], name=op.f('fk_second_markings_attempt_id_quiz_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_second_markings_decided_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['marker_id'], ['users.id'], name=op.f('fk_second_markings_marker_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_second_markings_requested_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_second_markings')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_second_markings_attempt_id'))
    )
    with op.batch_alter_table('second_markings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_second_markings_marker_id'), ['marker_id'], unique=False)


def downgrade():
    with op.batch_alter_table('second_markings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_second_markings_marker_id'))
    op.drop_table('second_markings')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempts_quiz_state')
