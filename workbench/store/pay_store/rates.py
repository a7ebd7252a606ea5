"""The pay rates: per language, per project, per reviewed minute, each from its effective date."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, aliased

from workbench.store.models import User
from workbench.store.pay_models import PayRate, ProjectRate, ReviewerRate


def pay_rates(session: Session) -> list[Row]:
    """The base rate history: ``language``, ``won_per_minute``, ``effective_at``, ``set_by``, ``created_at``."""
    setter = aliased(User)
    query = (
        select(PayRate.language, PayRate.won_per_minute, PayRate.effective_at, setter.username.label("set_by"),
               PayRate.created_at)
        .outerjoin(setter, setter.id == PayRate.created_by_id)
        .order_by(PayRate.language, PayRate.effective_at)
    )
    return session.execute(query).all()


def project_rates(session: Session) -> list[Row]:
    """The bonus history: ``project``, ``won_per_minute``, ``basis``, ``effective_at``, ``set_by``, ``created_at``."""
    setter = aliased(User)
    query = (
        select(ProjectRate.project, ProjectRate.won_per_minute, ProjectRate.basis, ProjectRate.effective_at,
               setter.username.label("set_by"), ProjectRate.created_at)
        .outerjoin(setter, setter.id == ProjectRate.created_by_id)
        .order_by(ProjectRate.project, ProjectRate.effective_at)
    )
    return session.execute(query).all()


def reviewer_rates(session: Session) -> list[Row]:
    """The reviewer rate history: ``language``, ``won_per_minute``, ``effective_at``, ``set_by``, ``created_at``."""
    setter = aliased(User)
    query = (
        select(ReviewerRate.language, ReviewerRate.won_per_minute, ReviewerRate.effective_at,
               setter.username.label("set_by"), ReviewerRate.created_at)
        .outerjoin(setter, setter.id == ReviewerRate.created_by_id)
        .order_by(ReviewerRate.language, ReviewerRate.effective_at)
    )
    return session.execute(query).all()


def has_reviewer_rate(session: Session, language: str, effective_at: datetime) -> bool:
    query = select(ReviewerRate.id).where(ReviewerRate.language == language,
                                          ReviewerRate.effective_at == effective_at)
    return session.execute(query).first() is not None


def add_reviewer_rate(session: Session, *, language: str, won_per_minute: int, effective_at: datetime,
                      created_by_id: int, created_at: datetime) -> int:
    rate = ReviewerRate(language=language, won_per_minute=won_per_minute, effective_at=effective_at,
                        created_by_id=created_by_id, created_at=created_at)
    session.add(rate)
    session.flush()
    return rate.id


def has_pay_rate(session: Session, language: str, effective_at: datetime) -> bool:
    query = select(PayRate.id).where(PayRate.language == language, PayRate.effective_at == effective_at)
    return session.execute(query).first() is not None


def has_project_rate(session: Session, project: str, effective_at: datetime) -> bool:
    query = select(ProjectRate.id).where(ProjectRate.project == project, ProjectRate.effective_at == effective_at)
    return session.execute(query).first() is not None


def add_pay_rate(session: Session, *, language: str, won_per_minute: int, effective_at: datetime,
                 created_by_id: int, created_at: datetime) -> int:
    rate = PayRate(language=language, won_per_minute=won_per_minute, effective_at=effective_at,
                   created_by_id=created_by_id, created_at=created_at)
    session.add(rate)
    session.flush()
    return rate.id


def add_project_rate(session: Session, *, project: str, won_per_minute: int, basis: str,
                     effective_at: datetime, created_by_id: int, created_at: datetime) -> int:
    rate = ProjectRate(project=project, won_per_minute=won_per_minute, basis=basis, effective_at=effective_at,
                       created_by_id=created_by_id, created_at=created_at)
    session.add(rate)
    session.flush()
    return rate.id
