"""SQLAlchemy 2 models of outreach case management.

The schema is created and changed ONLY by the Alembic migrations in
``equitable/outreach/migrations`` (see :func:`equitable.outreach.migrate`); these classes map it.
Identifiers keep their leading zeros (``student_id`` and ``school_id``, the 14-digit CDS code, are
strings). Times are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import functools

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


@functools.cache
def _iso_language_names() -> dict[str, str]:
    from babel import Locale

    return {code.lower(): name.lower() for code, name in Locale("en").languages.items()}


def language_name(value: str | None) -> str:
    """The lower-case English name of a language given by name or ISO 639 code ("" if none).

    The roster and queue may spell a family's home language as a code (``es``, as the
    engagement pipeline and many SIS exports do) or a name (``Spanish``); workers' spoken
    languages are typed as names. Cases, notices and caseload matching use one spelling, the
    English name in lower case (``spanish``), with the codes of the CLDR language list (Unicode
    CLDR, via Babel). A value that is neither is kept as it is, lower-cased.
    """
    v = (value or "").strip().lower()
    if not v:
        return ""
    return _iso_language_names().get(v.replace("_", "-"), v)

__all__ = [
    "CASE_STATUSES",
    "CLOSE_REASONS",
    "CONTACT_MODES",
    "CONTACT_OUTCOMES",
    "DISENGAGEMENT_REASONS",
    "REFERRAL_KINDS",
    "ROLES",
    "AttendanceDay",
    "Base",
    "Case",
    "ContactAttempt",
    "DataSharingAgreement",
    "DisclosureLog",
    "ImportBatch",
    "LoginAttempt",
    "Organization",
    "Referral",
    "School",
    "Student",
    "User",
    "WebSession",
    "language_name",
]

# The vocabularies (stored as these codes; the UI translates them).
ROLES = ("admin", "school_staff", "outreach_worker", "partner")
CONTACT_MODES = ("phone", "text", "email", "letter", "home_visit")
CONTACT_OUTCOMES = ("reached", "no_answer", "wrong_number", "moved")
DISENGAGEMENT_REASONS = (
    "connectivity_device",
    "work",
    "caring_for_siblings",
    "health",
    "housing",
    "safety",
    "other",
)
REFERRAL_KINDS = ("device_hotspot", "food", "health", "counseling", "transportation")
CASE_STATUSES = ("open", "re_engaged", "referred", "closed")
CLOSE_REASONS = (
    "re_engaged",
    "transferred",
    "moved_out_of_district",
    "unreachable",
    "graduated",
    "other",
)


def utcnow() -> dt.datetime:
    """Timezone-aware current UTC time."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class School(Base):
    __tablename__ = "outreach_school"

    school_id: Mapped[str] = mapped_column(String(14), primary_key=True)  # CDS code
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))  # from CDE's school directory
    phone: Mapped[str | None] = mapped_column(String(40))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class Student(Base):
    """A student on the district roster (the "known" students a queue may name)."""

    __tablename__ = "outreach_student"

    student_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    school_id: Mapped[str] = mapped_column(
        String(14), ForeignKey("outreach_school.school_id"), index=True
    )
    grade: Mapped[str | None] = mapped_column(String(4))
    home_language: Mapped[str | None] = mapped_column(String(40))
    english_learner: Mapped[bool | None] = mapped_column(Boolean)
    foster: Mapped[bool | None] = mapped_column(Boolean)
    homeless: Mapped[bool | None] = mapped_column(Boolean)


class Organization(Base):
    """A community partner organisation."""

    __tablename__ = "outreach_organization"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class DataSharingAgreement(Base):
    """A signed data-sharing agreement: a partner sees its assigned cases only while one is in force."""

    __tablename__ = "outreach_data_sharing_agreement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("outreach_organization.id"), index=True)
    signed_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(500))
    reference: Mapped[str | None] = mapped_column(String(200))  # the district's document number


class User(Base):
    __tablename__ = "outreach_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    school_id: Mapped[str | None] = mapped_column(String(14))  # school staff: their school
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_organization.id"))
    ui_language: Mapped[str] = mapped_column(String(5), default="en")
    languages: Mapped[str] = mapped_column(String(200), default="english")  # spoken, comma list
    capacity: Mapped[int] = mapped_column(Integer, default=0)  # open cases a worker can carry
    base_school_id: Mapped[str | None] = mapped_column(String(14))  # where a worker is based
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    contact: Mapped[str | None] = mapped_column(String(200))  # phone/e-mail shown to families
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)  # bump to end all sessions
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def spoken_languages(self) -> set[str]:
        return {language_name(x) for x in (self.languages or "").split(",") if x.strip()}


class ImportBatch(Base):
    """One imported file (a queue or a roster); its hash makes re-importing the same file a no-op."""

    __tablename__ = "outreach_import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "queue" or "roster"
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    opened: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Case(Base):
    """One outreach case per student."""

    __tablename__ = "outreach_case"
    __table_args__ = (
        # the queue's ordering, per scope (index the columns the queue page sorts and filters by)
        Index("ix_case_queue", "status", "priority_rank", "id"),
        Index("ix_case_school_queue", "school_id", "status", "priority_rank", "id"),
        Index("ix_case_worker_queue", "assigned_worker_id", "status", "priority_rank", "id"),
        Index("ix_case_org_queue", "partner_organization_id", "status", "priority_rank", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("outreach_student.student_id"), unique=True
    )
    school_id: Mapped[str] = mapped_column(String(14))
    priority_rank: Mapped[int] = mapped_column(Integer)  # 1 = contact first
    reasons: Mapped[str] = mapped_column(Text, default="")
    #: the pipeline's reasons as codes (``absent_streak{days=24}; ...``); "" for older queues
    reason_codes: Mapped[str] = mapped_column(Text, default="", server_default="")
    home_language: Mapped[str | None] = mapped_column(String(40))
    grade: Mapped[str | None] = mapped_column(String(4))
    flags: Mapped[str] = mapped_column(String(200), default="")  # e.g. "foster,homeless"
    status: Mapped[str] = mapped_column(String(20), default="open")
    close_reason: Mapped[str | None] = mapped_column(String(40))
    disengagement_reason: Mapped[str | None] = mapped_column(String(40))
    follow_up_date: Mapped[dt.date | None] = mapped_column(Date)
    assigned_worker_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_user.id"))
    partner_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("outreach_organization.id")
    )
    last_batch_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_import_batch.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    contacts: Mapped[list[ContactAttempt]] = relationship(
        back_populates="case", order_by="ContactAttempt.id"
    )
    referrals: Mapped[list[Referral]] = relationship(back_populates="case", order_by="Referral.id")


class AttendanceDay(Base):
    """One instructional day of a student with a case, from the latest engagement run imported
    (``equitable outreach attendance``): present or not, to compare attendance before and after
    the first successful contact."""

    __tablename__ = "outreach_attendance_day"

    student_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean)


class ContactAttempt(Base):
    __tablename__ = "outreach_contact_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("outreach_case.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("outreach_user.id"), index=True)
    contacted_on: Mapped[dt.date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="contacts")


class Referral(Base):
    __tablename__ = "outreach_referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("outreach_case.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("outreach_user.id"))
    kind: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="referrals")


class DisclosureLog(Base):
    """FERPA record of disclosures (34 CFR 99.32): who saw or exported which record, when and why.

    Append-only: database triggers reject UPDATE and DELETE on this table.
    """

    __tablename__ = "outreach_disclosure_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # view, export, notice
    student_id: Mapped[str | None] = mapped_column(String(64), index=True)
    case_id: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(300))  # the legitimate educational interest
    detail: Mapped[str] = mapped_column(String(300), default="")


class LoginAttempt(Base):
    """Login attempts, kept to throttle password guessing (per user name and per address)."""

    __tablename__ = "outreach_login_attempt"
    __table_args__ = (
        Index("ix_login_username_at", "username", "at"),
        Index("ix_login_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean)


class WebSession(Base):
    """A signed-in session of the web app, kept on the server (OWASP Session Management Cheat
    Sheet): the cookie carries a random token, this row its SHA-256. A session is valid while
    ``ended_at`` is empty, the user is active, it was used within the idle timeout and started
    within the maximum age (see :mod:`equitable.auth._sessions`)."""

    __tablename__ = "outreach_web_session"
    __table_args__ = (Index("ix_web_session_user_ended", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("outreach_user.id"))
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(20))
