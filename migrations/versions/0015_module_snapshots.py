"""module snapshots: a module's text as a version was read, kept so that a later version can show its readers
what changed since they read it

Revision ID: 7e1b4c9d2a60
Revises: 5c2e8f0a7d41
Create Date: 2026-11-30 14:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e1b4c9d2a60'
down_revision = '5c2e8f0a7d41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'module_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('module_slug', sa.String(length=80), nullable=False),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_module_snapshots')),
        sa.UniqueConstraint('module_slug', 'version', name='uq_module_snapshots_module_version'),
    )


def downgrade():
    op.drop_table('module_snapshots')
