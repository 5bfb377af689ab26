"""Small builders for hand-made indicator cases."""

import datetime
import itertools

from hamlets.models import (
    AreaType,
    Branch,
    BranchSecretary,
    Commune,
    District,
    Hamlet,
    Member,
    Membership,
    VillageHead,
)

_seq = itertools.count(1)
D = datetime.date


def code(prefix):
    return f"{prefix}-{next(_seq)}"


def district(**kw):
    return District.objects.create(code=kw.pop("code", code("D")), name=kw.pop("name", "Huyện"), **kw)


def commune(district=None, **kw):
    return Commune.objects.create(code=kw.pop("code", code("C")), name=kw.pop("name", "Xã"), district=district, **kw)


def hamlet(commune, areas=(), **kw):
    obj = Hamlet.objects.create(code=kw.pop("code", code("H")), name=kw.pop("name", "Xóm"), commune=commune, **kw)
    for area in areas:
        obj.area_types.add(AreaType.objects.get_or_create(code=area, defaults={"name": area})[0])
    return obj


def branch(commune, hamlets, established_on=D(1990, 1, 1), **kw):
    obj = Branch.objects.create(
        code=kw.pop("code", code("B")), name="Chi bộ", commune=commune, established_on=established_on, **kw
    )
    obj.hamlets.set(hamlets)
    return obj


def member(residence=None, birth_date=D(1970, 1, 1), admitted_on=D(1995, 1, 1), official=True, **kw):
    official_on = kw.pop("official_on", admitted_on.replace(year=admitted_on.year + 1) if official else None)
    return Member.objects.create(
        code=kw.pop("code", code("M")),
        full_name=kw.pop("full_name", "Nguyễn Văn A"),
        gender="male",
        birth_date=birth_date,
        admitted_on=admitted_on,
        official_on=official_on,
        residence_hamlet=residence,
        **kw,
    )


def join(member, branch, joined_on=None, **kw):
    return Membership.objects.create(member=member, branch=branch, joined_on=joined_on or member.admitted_on, **kw)


def members_in(branch, count, residence=None, **kw):
    people = [member(residence, **kw) for _ in range(count)]
    for person in people:
        join(person, branch, max(person.admitted_on, branch.established_on))
    return people


def secretary(branch, member, start_on=D(2010, 1, 1), **kw):
    return BranchSecretary.objects.create(branch=branch, member=member, start_on=start_on, **kw)


def head(hamlet, term_start=D(2014, 6, 1), **kw):
    return VillageHead.objects.create(
        code=kw.pop("code", code("V")),
        hamlet=hamlet,
        full_name=kw.pop("full_name", "Trưởng thôn"),
        term_start=term_start,
        **kw,
    )
