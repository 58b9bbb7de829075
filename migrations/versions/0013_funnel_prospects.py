"""the funnel starts at prospects: the ledger records new prospects (qualified contacts added), unknown (NULL) on
every day logged before; targets gain a prospects target (0: none) and the team's segment (B2B or consumer
goods), and the events target becomes a monthly one, one a month by default

Existing ledger rows keep every figure; their prospects stay NULL ("not recorded"), never 0. A stored events
target (per week until now) becomes the same pace per month: 52/12 times as many, rounded; 0 stays 0.
Stored readiness summaries are recomputed (readiness.summary.SHAPE is raised with this revision).

Revision ID: 3c1f0a9e7b21
Revises: 9a3e6f1c2b58
Create Date: 2026-11-30 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1f0a9e7b21'
down_revision = '9a3e6f1c2b58'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activity_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prospects', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_activity_entries_prospects_range'),
                                         'prospects >= 0 AND prospects <= 10000')
    with op.batch_alter_table('activity_targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prospects', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('segment', sa.String(length=12), nullable=False, server_default='b2b'))
        batch_op.create_check_constraint(batch_op.f('ck_activity_targets_segment'),
                                         "segment IN ('b2b', 'consumer')")
    with op.batch_alter_table('activity_targets', schema=None) as batch_op:
        batch_op.alter_column('prospects', server_default=None)
        batch_op.alter_column('segment', server_default=None)
    # A weekly events target as the same pace a month (integer division rounds half up with the + 6).
    op.execute("UPDATE activity_targets SET events = (events * 52 + 6) / 12")


def downgrade():
    op.execute("UPDATE activity_targets SET events = (events * 12 + 26) / 52")
    with op.batch_alter_table('activity_targets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_activity_targets_segment'), type_='check')
        batch_op.drop_column('segment')
        batch_op.drop_column('prospects')
    with op.batch_alter_table('activity_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_activity_entries_prospects_range'), type_='check')
        batch_op.drop_column('prospects')
