"""mail preferences (immediately, in the weekly digest, off) in place of the opt-outs, the reminders sent (one row
per condition, subject, period and level, unique), and the notifications waiting for the digest

Revision ID: 7d4b2e9c1a63
Revises: 7b3d9e2f1a64
Create Date: 2026-11-30 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d4b2e9c1a63'
down_revision = '7b3d9e2f1a64'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('choice', sa.String(length=12), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("choice IN ('immediately', 'digest', 'off')", name=op.f('ck_mail_preferences_choice')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_mail_preferences'))
    )
    op.execute("INSERT INTO mail_preferences (user_id, kind, choice, updated_at) "
               "SELECT user_id, kind, 'off', created_at FROM mail_opt_outs")
    op.drop_table('mail_opt_outs')
    op.create_table('mail_reminders_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=80), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_reminders_sent')),
    sa.UniqueConstraint('kind', 'subject', 'period', 'level', name=op.f('uq_mail_reminders_sent_kind'))
    )
    with op.batch_alter_table('mail_reminders_sent', schema=None) as batch_op:
        batch_op.create_index('ix_mail_reminders_sent_subject', ['subject'], unique=False)
    op.create_table('mail_digest_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_mail_digest_items_notification_id_notifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_digest_items_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_digest_items'))
    )
    with op.batch_alter_table('mail_digest_items', schema=None) as batch_op:
        batch_op.create_index('ix_mail_digest_items_waiting', ['user_id', 'sent_at'], unique=False)


def downgrade():
    with op.batch_alter_table('mail_digest_items', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_digest_items_waiting')
    op.drop_table('mail_digest_items')
    with op.batch_alter_table('mail_reminders_sent', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_reminders_sent_subject')
    op.drop_table('mail_reminders_sent')
    op.create_table('mail_opt_outs',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_opt_outs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_mail_opt_outs'))
    )
    op.execute("INSERT INTO mail_opt_outs (user_id, kind, created_at) "
               "SELECT user_id, kind, updated_at FROM mail_preferences WHERE choice = 'off'")
    op.drop_table('mail_preferences')
