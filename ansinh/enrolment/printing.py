"""The printed decision: builds the document's dataclass from the records. It only reads."""

from __future__ import annotations

from . import services
from .choices import Benefit, DecisionKind, StopReason, SuspendReason
from .forms import (
    category_label,
)
from .models import Decision, Entitlement
from .numbering import SUFFIX
from .selectors import priced_month


def decision_reason(decision) -> str:
    reason = decision.reason or ""
    if decision.kind == DecisionKind.SUSPEND and reason in SuspendReason.values:
        return SuspendReason(reason).label
    return reason


def split_unit_name(unit) -> tuple[str, str]:
    """Phường Ba Đình (kind "phường") → ("phường", "Ba Đình")."""
    kind = unit.kind or "xã"
    name = unit.name
    if name.lower().startswith(kind.lower() + " "):
        name = name[len(kind) + 1:]
    return kind, name


def decision_document(decision: Decision):
    from ansinh.documents.decision import DecisionDocument

    person = decision.person
    kind, name = split_unit_name(decision.commune)
    amount, coefficient = decision.monthly_amount, decision.coefficient
    entitlement = decision.entitlement
    if amount is None and entitlement is not None and decision.kind in (
            DecisionKind.GRANT, DecisionKind.ADJUST, DecisionKind.RESUME,
            DecisionKind.SUSPEND, DecisionKind.FUNERAL):
        amount, coefficient = priced_month(entitlement, decision.effective_month)
    funeral = decision.kind == DecisionKind.FUNERAL
    household = person.household
    residence = ", ".join(p for p in (household.address if household else "",
                                      decision.commune.name, decision.province.name) if p)
    new_residence = ""
    if decision.kind == DecisionKind.MOVE_OUT and entitlement is not None:
        following = Entitlement.objects.filter(previous=entitlement).select_related(
            "commune", "province").first()
        new_residence = (f"{following.commune.name}, {following.province.name}"
                         if following else person.commune.name)
    reason = decision_reason(decision)
    if decision.kind == DecisionKind.TERMINATE and not reason and entitlement is not None \
            and entitlement.stop_reason in StopReason.values:
        reason = StopReason(entitlement.stop_reason).label
    benefit = Benefit(decision.benefit).label
    bases = [b.strip() for b in (decision.basis or services.default_basis(
        decision.benefit)).split(";") if b.strip()]
    return DecisionDocument(
        kind=decision.kind, commune_kind=kind, commune_name=name,
        signed_on=decision.signed_on, signer_name=decision.signer_name, signed=True,
        # The sequence as a number, so the document prints it the Decree 30 way ("01/…");
        # a decision recorded from an old register keeps its number as written.
        number=decision.sequence if decision.sequence is not None else decision.number,
        symbol=SUFFIX, full_name=person.full_name,
        birth_date=person.birth_display or None, gender=person.sex,
        id_number=person.id_number or "", residence=residence,
        benefit_label=benefit[:1].lower() + benefit[1:],
        category_label=category_label(decision.benefit, decision.category)
        if decision.category else "",
        coefficient=None if funeral else coefficient or None,
        monthly_amount=None if funeral else amount,
        funeral_amount=amount if funeral else None,
        funeral_payee=decision.recipient.full_name if funeral and decision.recipient else "",
        first_month=decision.effective_month, reason=reason or "",
        new_residence=new_residence,
        death_date=person.deceased_date if decision.kind in (
            DecisionKind.TERMINATE, DecisionKind.FUNERAL) else None,
        legal_bases=bases,
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def decision_file(decision: Decision, fmt: str) -> tuple[bytes, str, str]:
    """The signed decision as (content, content type, file name), .docx or .pdf. Raises
    ValueError when the decision cannot be printed yet."""
    # Imported here: a fault in the document renderers must not take down every page or
    # endpoint that merely links to a decision.
    from ansinh.documents import decision as documents

    document = decision_document(decision)
    if fmt == "docx":
        content, content_type = documents.render_docx(document), DOCX
    else:
        content, content_type = documents.render_pdf(document), "application/pdf"
    stem = f"quyet-dinh-{decision.number.split('/')[0]}-{decision.year}"
    return content, content_type, f"{stem}.{fmt}"
