"""a job-description signature per version and typed name: a corrected name signs the same version again

Revision ID: 8e4b1d6f2a93
Revises: 3c9d2e7a5f14
Create Date: 2026-12-02 11:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8e4b1d6f2a93'
down_revision = '3c9d2e7a5f14'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.drop_constraint('uq_acknowledgements_version', type_='unique')
        batch_op.create_unique_constraint('uq_acknowledgements_version_name',
                                          ['trainee_id', 'document', 'version', 'typed_name'])


def downgrade():
    # Keeps the latest signature of each version when a trainee signed one version under two names.
    op.execute("DELETE FROM acknowledgements WHERE id NOT IN (SELECT MAX(id) FROM acknowledgements "
               "GROUP BY trainee_id, document, version)")
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.drop_constraint('uq_acknowledgements_version_name', type_='unique')
        batch_op.create_unique_constraint('uq_acknowledgements_version', ['trainee_id', 'document', 'version'])
