"""go / no-go decisions after cold calling: one per trainee; stage 3 opens only after a go

Revision ID: 7d3a9c1e5b20
Revises: 7e1b4c9d2a60
Create Date: 2026-11-30 14:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d3a9c1e5b20'
down_revision = '7e1b4c9d2a60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('go_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("verdict IN ('go', 'no_go')", name=op.f('ck_go_decisions_verdict')),
    sa.CheckConstraint("verdict = 'go' OR note != ''", name=op.f('ck_go_decisions_no_go_note')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_go_decisions_decided_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_go_decisions_trainee_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_go_decisions')),
    sa.UniqueConstraint('trainee_id', name=op.f('uq_go_decisions_trainee_id'))
    )


def downgrade():
    op.drop_table('go_decisions')
