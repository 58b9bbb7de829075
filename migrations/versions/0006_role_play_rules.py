"""role-play rules: cancelled attempts use up nothing, a meeting's sequence, keep-in-training decisions

Revision ID: 6a1f0c2e9b71
Revises: 0d179413a879
Create Date: 2026-11-30 05:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a1f0c2e9b71'
down_revision = '0d179413a879'
branch_labels = None
depends_on = None


def upgrade():
    # An extension no longer grants attempts: what was an extension is now "kept in training".
    op.execute("UPDATE hold_decisions SET decision = 'keep' WHERE decision = 'extend'")
    with op.batch_alter_table('hold_decisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_hold_decisions_decision'), type_='check')
        batch_op.create_check_constraint('decision', "decision IN ('keep', 'withdraw')")

    with op.batch_alter_table('role_play_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_role_play_attempts_cancelled_by_users'), 'users',
                                    ['cancelled_by'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint(batch_op.f('uq_role_play_attempts_trainee_number'), type_='unique')
        batch_op.drop_constraint(batch_op.f('ck_role_play_attempts_state'), type_='check')
        batch_op.create_check_constraint('state', "state IN ('scheduled', 'scored', 'cancelled')")
    op.create_index('uq_role_play_attempts_trainee_number', 'role_play_attempts', ['trainee_id', 'number'],
                    unique=True, sqlite_where=sa.text("state != 'cancelled'"),
                    postgresql_where=sa.text("state != 'cancelled'"))


def downgrade():
    op.drop_index('uq_role_play_attempts_trainee_number', table_name='role_play_attempts')
    op.execute("DELETE FROM role_play_attempts WHERE state = 'cancelled'")
    with op.batch_alter_table('role_play_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_role_play_attempts_state'), type_='check')
        batch_op.create_check_constraint('state', "state IN ('scheduled', 'scored')")
        batch_op.create_unique_constraint(batch_op.f('uq_role_play_attempts_trainee_number'), ['trainee_id', 'number'])
        batch_op.drop_constraint(batch_op.f('fk_role_play_attempts_cancelled_by_users'), type_='foreignkey')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_by')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('sequence')
    op.execute("UPDATE hold_decisions SET decision = 'extend' WHERE decision = 'keep'")
    with op.batch_alter_table('hold_decisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_hold_decisions_decision'), type_='check')
        batch_op.create_check_constraint('decision', "decision IN ('extend', 'withdraw')")
