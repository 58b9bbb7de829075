"""readiness summaries carry what the lists filter on (listed, status, mentor, start date), copied from the
trainee's account and record, so the head's counts and first page read one table through an index

Revision ID: 7b1d9e4f2a60
Revises: 4e7a2c9d1b35
Create Date: 2026-12-01 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b1d9e4f2a60'
down_revision = '4e7a2c9d1b35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('readiness_summaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('status', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('mentor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('start_date', sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_readiness_summaries_mentor_id_users'), 'users', ['mentor_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_readiness_summaries_listing',
                              ['listed', 'status', 'behind_after', 'ready', 'waits_head', 'current_stage',
                               'mentor_id', 'waits_mentor'], unique=False)
        batch_op.create_index('ix_readiness_summaries_newest', ['listed', 'start_date', 'trainee_id'], unique=False)
        batch_op.create_index('ix_readiness_summaries_mentor', ['mentor_id', 'listed', 'start_date', 'trainee_id'],
                              unique=False)
    # The copies of the existing summaries, as the next refresh would write them.
    summaries = sa.table('readiness_summaries', sa.column('trainee_id', sa.Integer), sa.column('listed', sa.Boolean),
                         sa.column('status', sa.String), sa.column('mentor_id', sa.Integer),
                         sa.column('start_date', sa.Date))
    records = sa.table('trainee_records', sa.column('user_id', sa.Integer), sa.column('status', sa.String),
                       sa.column('mentor_id', sa.Integer), sa.column('start_date', sa.Date))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('active', sa.Boolean),
                     sa.column('role', sa.String))
    record = lambda column: (sa.select(column).where(records.c.user_id == summaries.c.trainee_id)  # noqa: E731
                             .scalar_subquery())
    listed = (sa.select(sa.func.count()).select_from(users)
              .where(users.c.id == summaries.c.trainee_id, users.c.active.is_(True), users.c.role == 'trainee')
              .scalar_subquery())
    op.execute(summaries.update().values(listed=listed > 0, status=record(records.c.status),
                                         mentor_id=record(records.c.mentor_id),
                                         start_date=record(records.c.start_date)))


def downgrade():
    with op.batch_alter_table('readiness_summaries', schema=None) as batch_op:
        batch_op.drop_index('ix_readiness_summaries_mentor')
        batch_op.drop_index('ix_readiness_summaries_newest')
        batch_op.drop_index('ix_readiness_summaries_listing')
        batch_op.drop_constraint(batch_op.f('fk_readiness_summaries_mentor_id_users'), type_='foreignkey')
        batch_op.drop_column('start_date')
        batch_op.drop_column('mentor_id')
        batch_op.drop_column('status')
        batch_op.drop_column('listed')
