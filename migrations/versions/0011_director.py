"""the director: a read-only role for the general manager, and their own check on a trainee

Revision ID: 5d7c2a91e0f4
Revises: bd84e54da74d
Create Date: 2026-11-30 11:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d7c2a91e0f4'
down_revision = 'bd84e54da74d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', "role IN ('trainee', 'mentor', 'head', 'admin', 'director')")
    op.create_table('director_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('director_id', sa.Integer(), nullable=True),
    sa.Column('verdict', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(sa.text("verdict IN ('satisfied', 'not_yet')"), name=op.f('ck_director_checks_verdict')),
    sa.ForeignKeyConstraint(['director_id'], ['users.id'], name=op.f('fk_director_checks_director_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_director_checks_trainee_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_director_checks'))
    )
    with op.batch_alter_table('director_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_director_checks_trainee_id'), ['trainee_id'], unique=False)


def downgrade():
    with op.batch_alter_table('director_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_director_checks_trainee_id'))
    op.drop_table('director_checks')
    op.execute("DELETE FROM users WHERE role = 'director'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', "role IN ('trainee', 'mentor', 'head', 'admin')")
