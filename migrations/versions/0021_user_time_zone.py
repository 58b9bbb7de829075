"""each account's own time zone (NULL: the company's MAIL_TIME_ZONE)

Revision ID: 5b9d3f7e2a41
Revises: 7d3b9e1f4a62
Create Date: 2026-11-30 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b9d3f7e2a41'
down_revision = '7d3b9e1f4a62'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    # Never recreate `users` on SQLite: dropping the old table would cascade into every row that points at an
    # account. SQLite 3.35+ drops a plain column in place.
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('time_zone')
