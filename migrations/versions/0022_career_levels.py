"""career levels: the head of sales' promotions of independent account managers, with their evidence

Revision ID: 3c8e5a1d7b20
Revises: 5b9d3f7e2a41
Create Date: 2026-11-30 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c8e5a1d7b20'
down_revision = '5b9d3f7e2a41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('career_promotions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('from_level', sa.Integer(), nullable=False),
    sa.Column('to_level', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(sa.text('from_level >= 1 AND to_level > from_level'), name=op.f('ck_career_promotions_upward')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_career_promotions_decided_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], name=op.f('fk_career_promotions_person_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_career_promotions')),
    sa.UniqueConstraint('person_id', 'to_level', name='uq_career_promotions_person_level')
    )
    with op.batch_alter_table('career_promotions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_career_promotions_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('career_promotions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_career_promotions_person_id'))

    op.drop_table('career_promotions')
