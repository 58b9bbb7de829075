"""go / no-go decisions after cold calling: one per trainee; stage 3 opens only after a go

A trainee who is already past cold calling on the day of the upgrade (a role-play attempt, a supervision note, a
readiness recommendation or decision, or a status of awaiting approval or independent) gets a go recorded by the
upgrade, so their stage 3 and 4 do not close; anyone else past stage 2 shows "go/no-go due" in the inbox.

Revision ID: 7d3a9c1e5b20
Revises: 7e1b4c9d2a60
Create Date: 2026-11-30 14:15:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

#: The note of a go the upgrade records for a trainee already past cold calling.
UPGRADE_NOTE = "Recorded by the upgrade: already past cold calling when the decision was introduced."


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
    past_cold_calling = " OR ".join(
        [f"EXISTS (SELECT 1 FROM {table} t WHERE t.trainee_id = users.id)" for table in
         ("role_play_attempts", "supervision_notes", "readiness_recommendations", "readiness_decisions")]
        + ["EXISTS (SELECT 1 FROM trainee_records r WHERE r.user_id = users.id "
           "AND r.status IN ('awaiting_approval', 'independent'))"])
    op.execute(sa.text(
        "INSERT INTO go_decisions (trainee_id, verdict, note, decided_by, decided_at) "
        f"SELECT users.id, 'go', :note, NULL, :now FROM users WHERE users.role = 'trainee' AND ({past_cold_calling})"
    ).bindparams(note=UPGRADE_NOTE, now=datetime.now(timezone.utc)))


def downgrade():
    op.drop_table('go_decisions')
