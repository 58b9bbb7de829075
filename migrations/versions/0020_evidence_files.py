"""evidence files: uploads on sign-off requests, ledger days and supervision notes, comments at a moment, and the
chunks the database storage keeps their bytes in

Revision ID: 7d3b9e1f4a62
Revises: 7d4b2e9c1a63
Create Date: 2026-11-30 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d3b9e1f4a62'
down_revision = '7d4b2e9c1a63'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_chunks',
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('storage_key', 'seq', name=op.f('pk_evidence_chunks'))
    )
    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sign_off_event_id', sa.Integer(), nullable=True),
    sa.Column('activity_entry_id', sa.Integer(), nullable=True),
    sa.Column('supervision_note_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Integer(), nullable=True),
    sa.Column('kept', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint("kind IN ('document', 'audio', 'image')", name=op.f('ck_evidence_files_kind')),
    sa.CheckConstraint(
        "(CASE WHEN sign_off_event_id IS NULL THEN 0 ELSE 1 END) + "
        "(CASE WHEN activity_entry_id IS NULL THEN 0 ELSE 1 END) + "
        "(CASE WHEN supervision_note_id IS NULL THEN 0 ELSE 1 END) = 1", name=op.f('ck_evidence_files_one_owner')),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_evidence_files_trainee_id_users'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_evidence_files_uploaded_by_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deleted_by'], ['users.id'], name=op.f('fk_evidence_files_deleted_by_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sign_off_event_id'], ['sign_off_events.id'],
                            name=op.f('fk_evidence_files_sign_off_event_id_sign_off_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['activity_entry_id'], ['activity_entries.id'],
                            name=op.f('fk_evidence_files_activity_entry_id_activity_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supervision_note_id'], ['supervision_notes.id'],
                            name=op.f('fk_evidence_files_supervision_note_id_supervision_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_evidence_files_storage_key'))
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_files_trainee_id'), ['trainee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_files_sign_off_event_id'), ['sign_off_event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_files_activity_entry_id'), ['activity_entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_files_supervision_note_id'), ['supervision_note_id'],
                              unique=False)
    op.create_table('evidence_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('at_seconds', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['file_id'], ['evidence_files.id'], name=op.f('fk_evidence_comments_file_id_evidence_files'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_evidence_comments_author_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_comments'))
    )
    with op.batch_alter_table('evidence_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_comments_file_id'), ['file_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_comments_file_id'))
    op.drop_table('evidence_comments')
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_files_supervision_note_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_files_activity_entry_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_files_sign_off_event_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_files_trainee_id'))
    op.drop_table('evidence_files')
    op.drop_table('evidence_chunks')
