"""Partner organisations and their data-sharing agreements (who outside the district may see
which cases; :mod:`equitable.outreach._access`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from equitable.errors import EquitableError
from equitable.outreach._db import write_session
from equitable.outreach._import import check_fits
from equitable.outreach._models import DataSharingAgreement, Organization

__all__ = ["add_agreement", "create_organization"]


def create_organization(engine: Engine, name: str) -> int:
    name = name.strip()
    if not name:
        raise EquitableError("the organization needs a name")
    check_fits(Organization, {"name": name}, {"name": "the organization's name"})
    with write_session(engine) as s:
        if s.scalar(select(Organization.id).where(Organization.name == name)) is not None:
            raise EquitableError(f"the organization '{name}' exists already")
        org = Organization(name=name)
        s.add(org)
        s.flush()
        return org.id


def add_agreement(engine: Engine, organization: str, *, signed_on: dt.date, expires_on: dt.date,
                  purpose: str, reference: str | None = None) -> int:
    """Record a data-sharing agreement with a partner organisation (FERPA 34 CFR 99.31(a)(6))."""
    if expires_on < signed_on:
        raise EquitableError("the agreement expires before it is signed")
    if not purpose.strip():
        raise EquitableError("the agreement needs its purpose")
    check_fits(DataSharingAgreement, {"purpose": purpose.strip(), "reference": reference},
               {"purpose": "--purpose", "reference": "--reference"})
    with write_session(engine) as s:
        org_id = s.scalar(select(Organization.id).where(Organization.name == organization))
        if org_id is None:
            raise EquitableError(f"unknown organization '{organization}'")
        dsa = DataSharingAgreement(organization_id=org_id, signed_on=signed_on,
                                   expires_on=expires_on, purpose=purpose.strip(),
                                   reference=reference)
        s.add(dsa)
        s.flush()
        return dsa.id
