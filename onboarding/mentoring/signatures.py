"""The job description's signatures: which one counts. Read by mentoring and by people (a name correction may ask
for a new signature), so it imports neither's services."""
import sqlalchemy as sa

from ..auth.models import User
from ..extensions import db
from . import rules
from .models import Acknowledgement


def signatures_of_version(trainee_id: int, document) -> list:
    """The trainee's signatures of the document's current version, newest first (more than one when the name on
    the account was corrected and the trainee signed again with the new name)."""
    return list(db.session.scalars(sa.select(Acknowledgement).where(
        Acknowledgement.trainee_id == trainee_id, Acknowledgement.document == document.slug,
        Acknowledgement.version == document.version).order_by(Acknowledgement.signed_at.desc(),
                                                              Acknowledgement.id.desc())))


def current_signature(trainee_id: int, document) -> Acknowledgement | None:
    """The signature that counts: the current version, signed with the name the account has now."""
    name = db.session.scalar(sa.select(User.full_name).where(User.id == trainee_id))
    return next((a for a in signatures_of_version(trainee_id, document)
                 if rules.signature_current(a.version, a.typed_name, document.version, name)), None)
