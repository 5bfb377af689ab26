"""The demo after 2016: Quỳnh Lưu through the hamlet mergers of 2019–2020, the
commune merger of 1/7/2025 and a hamlet split in 2026, to today.

Run on a database holding the 2016 demo (fixtures/demo/) by `setup_demo`;
every change goes through the same code a user's does (reorganisation events,
hamlets/reorganise.py, and the actions of hamlets/actions.py), so the demo
also exercises them. Seeded: the same data on every machine.

A documented reconstruction (docs/demo-data.md): the acts' numbers and dates
of the 2019 resolution (NQ 08/NQ-HĐND, 12/7/2019) and of the 2025 merger
(NQ 1678/NQ-UBTVQH15, 16/6/2025, effective 1/7/2025) are real, and so are
the names of the seven communes Quỳnh Lưu became; which hamlets merged,
which old communes make up each new one, the 2020 and 2026 acts and all
people are invented.
"""

import datetime
import random

from django.db import transaction
from django.db.models import Count, Q

from . import actions, reorganise
from .models import (
    AdmissionTarget,
    Branch,
    BranchRating,
    BranchSecretary,
    Commune,
    District,
    Hamlet,
    Membership,
    Reorganisation,
    VillageHead,
)

D = datetime.date
RECONSTRUCTED = "Tái dựng cho dữ liệu mẫu."

# New commune (code, name) -> old communes (2025 merger, NQ 1678/NQ-UBTVQH15).
COMMUNES_2025 = [
    (("QL2025-QLU", "Xã Quỳnh Lưu"), ["CGI", "QHG", "QBI", "QHU", "QDI"]),
    (("QL2025-QVA", "Xã Quỳnh Văn"), ["QVA", "QTH", "QYE", "QTC", "QMY"]),
    (("QL2025-QAN", "Xã Quỳnh Anh"), ["QBA", "QMI", "QHA", "QGI", "QDO"]),
    (("QL2025-QTA", "Xã Quỳnh Tam"), ["QTA", "TTH", "QTN", "TSO"]),
    (("QL2025-QPH", "Xã Quỳnh Phú"), ["SHA", "QTU", "QNG", "QLO", "TTY"]),
    (("QL2025-QSO", "Xã Quỳnh Sơn"), ["NSO", "PSO", "QLA", "QHO", "AHO"]),
    (("QL2025-QTG", "Xã Quỳnh Thắng"), ["QTG", "QNO", "QTO", "QLU"]),
    (("HM2025-PHM", "Phường Hoàng Mai"), ["QTI", "QDY"]),
]
RENAMED_2025 = ("MHU", "Phường Quỳnh Mai")

WAVES = [
    # (code prefix, effective date, act number, act date, communes whose hamlets merge)
    ("NQ08-2019", D(2019, 7, 12), "08/NQ-HĐND", D(2019, 7, 12), ["QVA", "QTH", "SHA", "QBI", "QHA", "QTA"]),
    ("NQ17-2020", D(2020, 8, 1), "17/NQ-HĐND", D(2020, 7, 22), ["QNG", "QDO", "QHO", "QTO", "QTI", "CGI"]),
]


class History:
    def __init__(self, today, seed=2025):
        self.today = today
        self.rng = random.Random(seed)
        self.sequence = 0
        self.summary = []

    def code(self, prefix):
        self.sequence += 1
        return f"{prefix}-{self.sequence:05d}"

    def event(self, code, *, kind, level, effective_on, act_number, act_date, act_issuer, content, note=""):
        event = Reorganisation.objects.create(
            code=code,
            kind=kind,
            level=level,
            effective_on=effective_on,
            act_number=act_number,
            act_date=act_date,
            act_issuer=act_issuer,
            content=content,
            note=note or RECONSTRUCTED,
        )
        reorganise.apply(event)
        self.summary.append(event)
        return event

    # --- hamlet mergers ------------------------------------------------------------

    def mergeable_pair(self, commune, day):
        """Two active hamlets of the commune whose branches serve only them (the last two that qualify)."""
        hamlets = list(Hamlet.objects.active_on(day).filter(commune__code=commune).order_by("-code"))
        for first, second in zip(hamlets[1:], hamlets, strict=False):
            pair = {first.pk, second.pk}
            branches = Branch.objects.active_on(day).filter(hamlets__in=pair).distinct()
            if not branches.exists():
                continue
            if any(set(b.hamlets.active_on(day).values_list("pk", flat=True)) - pair for b in branches):
                continue
            if VillageHead.objects.filter(hamlet__in=pair, term_start__gte=day).exists():
                continue
            return [first, second], list(branches)
        return None

    def hamlet_wave(self, prefix, day, act_number, act_date, communes):
        for commune in communes:
            found = self.mergeable_pair(commune, day)
            if found is None:
                continue
            (first, second), branches = found
            # The merged hamlet takes the first one's name, a common outcome; the lineage tells them apart.
            successor = f"{commune}-M{day.year % 100}{first.code.rsplit('-', 1)[-1]}"
            secretary = (
                BranchSecretary.objects.active_on(day).filter(branch__in=branches).order_by("branch__code").first()
            )
            content = {
                "from": [first.code, second.code],
                "to": [{"code": successor, "name": first.name, "kind": first.kind}],
                "branches": {successor: {"code": f"{successor}-CB", "name": f"Chi bộ {first.name}"}},
            }
            if secretary is not None:
                content["branches"][successor]["secretary"] = secretary.member.code
            self.event(
                f"{prefix}-{commune}",
                kind="merge",
                level="hamlet",
                effective_on=day,
                act_number=act_number,
                act_date=act_date,
                act_issuer="HĐND tỉnh Nghệ An",
                content=content,
                note="" if prefix.startswith("NQ08") else RECONSTRUCTED,
            )
            self.new_head(Hamlet.objects.get(code=successor), day + datetime.timedelta(days=30))

    def new_head(self, hamlet, start):
        """A village head elected for a new hamlet: a member living there half of the time."""
        resident = (
            Membership.objects.active_on(start)
            .filter(member__residence_hamlet=hamlet, member__official_on__isnull=False)
            .select_related("member")
            .order_by("member__code")
            .first()
        )
        member = resident.member if resident is not None and self.rng.random() < 0.5 else None
        actions.hamlet_appoint_head(
            hamlet=hamlet,
            code=self.code(f"TT-{hamlet.code}"),
            full_name=member.full_name if member else self.rng.choice(["Nguyễn Văn Hòa", "Lê Thị Mai", "Hồ Đức Tâm"]),
            term_start=start,
            gender=member.gender if member else "male",
            member=member,
            trained_on=start + datetime.timedelta(days=90) if self.rng.random() < 0.5 else None,
        )

    # --- 2025 ----------------------------------------------------------------------

    def communes_2025(self):
        july = D(2025, 7, 1)
        act = {
            "effective_on": july,
            "act_number": "1678/NQ-UBTVQH15",
            "act_date": D(2025, 6, 16),
            "act_issuer": "Ủy ban Thường vụ Quốc hội",
        }
        for (code, name), old in COMMUNES_2025:
            self.event(
                f"NQ1678-{code}",
                kind="merge",
                level="commune",
                content={"from": old, "to": [{"code": code, "name": name}]},
                note="Thành phần xã mới: " + RECONSTRUCTED,
                **act,
            )
        self.event(
            f"NQ1678-{RENAMED_2025[0]}",
            kind="rename",
            level="commune",
            content={"from": [RENAMED_2025[0]], "name": RENAMED_2025[1]},
            **act,
        )
        for district in District.objects.active_on(july).order_by("code"):
            self.event(
                f"NQ1678-{district.code}",
                kind="dissolve",
                level="district",
                content={"from": [district.code]},
                note="Kết thúc hoạt động cấp huyện từ 1/7/2025.",
                **act,
            )

    def split_2026(self):
        """A large coastal hamlet split in two (2026)."""
        day = D(2026, 3, 1)
        if day > self.today:
            return
        candidates = (
            Hamlet.objects.active_on(day)
            .filter(commune__code="QL2025-QPH", area_types__code="coastal")
            .annotate(people=Count("residents"))
            .order_by("-people", "code")
        )
        hamlet = next(h for h in candidates if self.splittable(h, day))
        self.event(
            f"NQ05-2026-{hamlet.code}",
            kind="split",
            level="hamlet",
            effective_on=day,
            act_number="05/NQ-HĐND",
            act_date=D(2026, 2, 20),
            act_issuer="HĐND xã Quỳnh Phú",
            content={
                "from": [hamlet.code],
                "to": [
                    {"code": f"{hamlet.code}A", "name": f"{hamlet.name} Bắc", "share": 260},
                    {"code": f"{hamlet.code}B", "name": f"{hamlet.name} Nam", "share": 190},
                ],
            },
        )
        for new in ("A", "B"):
            self.new_head(Hamlet.objects.get(code=f"{hamlet.code}{new}"), day + datetime.timedelta(days=20))

    @staticmethod
    def splittable(hamlet, day):
        branches = Branch.objects.active_on(day).filter(hamlets=hamlet)
        return branches.exists() and not any(b.hamlets.active_on(day).exclude(pk=hamlet.pk).exists() for b in branches)

    # --- the life of the branches ----------------------------------------------------------

    def year_of_life(self, year):
        """Admissions (in small branches first), deaths among the oldest,
        targets, last year's ratings and a branch founded for an unserved
        hamlet now and then, for one year."""
        end = min(D(year, 12, 31), self.today)
        self.rate(year - 1)
        if self.rng.random() < 0.6:
            self.found_for_unserved(year, end)
        for commune in Commune.objects.active_on(end).order_by("code"):
            admitted = 0
            target = self.rng.randint(2, 6)
            AdmissionTarget.objects.get_or_create(commune=commune, year=year, defaults={"target": target})
            branches = list(
                Branch.objects.active_on(end)
                .filter(commune=commune)
                .annotate(size=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
                .order_by("size", "code")
            )
            for branch in branches[: self.rng.randint(1, max(1, target))]:
                hamlet = branch.hamlets.active_on(end).order_by("code").first()
                day = self.day_in(year, branch.established_on)
                if hamlet is None or day is None:
                    continue
                gender = self.rng.choice(["male", "female"])
                actions.member_admit(
                    code=self.code("DV"),
                    full_name=self.rng.choice(NAMES[gender]),
                    gender=gender,
                    birth_date=D(year - self.rng.randint(22, 40), self.rng.randint(1, 12), self.rng.randint(1, 28)),
                    admitted_on=day,
                    branch=branch,
                    residence_hamlet=hamlet,
                )
                admitted += 1
            # The oldest leave us: a few deaths a year.
            oldest = (
                Membership.objects.active_on(end)
                .filter(branch__commune=commune, member__birth_date__lt=D(year - 80, 1, 1))
                .exclude(member__secretary_terms__end_on__isnull=True)
                .select_related("member")
                .order_by("member__birth_date")[: self.rng.randint(0, 2)]
            )
            for membership in oldest:
                day = self.day_in(year, membership.joined_on)
                if day is not None:
                    actions.member_leave(member=membership.member, on=day, reason="deceased")

    def rate(self, year):
        """Every branch active at the end of `year` gets its yearly rating."""
        weights = [("excellent", 2), ("good", 5), ("completed", 2), ("not_completed", 1)]
        choices = [rating for rating, weight in weights for _ in range(weight)]
        for branch in Branch.objects.active_on(D(year, 12, 31)).order_by("code"):
            BranchRating.objects.get_or_create(branch=branch, year=year, defaults={"rating": self.rng.choice(choices)})

    def found_for_unserved(self, year, end):
        """The commune committee founds a branch for a hamlet that had none,
        with three members admitted there (the article's remedy)."""
        served = Branch.objects.active_on(end).values("hamlets")
        hamlet = Hamlet.objects.active_on(end).exclude(pk__in=served).order_by("code").first()
        day = self.day_in(year, D(year, 3, 1))
        if hamlet is None or day is None:
            return
        branch = actions.branch_found(
            code=f"CB-{hamlet.code}-{year}",
            name=f"Chi bộ {hamlet.name}",
            commune=hamlet.commune,
            hamlets=[hamlet],
            established_on=day,
        )
        for _index in range(3):
            gender = self.rng.choice(["male", "female"])
            actions.member_admit(
                code=self.code("DV"),
                full_name=self.rng.choice(NAMES[gender]),
                gender=gender,
                birth_date=D(year - self.rng.randint(25, 45), self.rng.randint(1, 12), self.rng.randint(1, 28)),
                admitted_on=day,
                branch=branch,
                residence_hamlet=hamlet,
            )

    def day_in(self, year, after):
        """A day of `year`, after `after` and not after today; None if there is none."""
        first = max(D(year, 1, 2), after + datetime.timedelta(days=1))
        last = min(D(year, 12, 20), self.today)
        if first > last:
            return None
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    # --- all of it ------------------------------------------------------------------------

    def run(self):
        with transaction.atomic():
            for year in range(2017, self.today.year + 1):
                for prefix, day, act_number, act_date, communes in WAVES:
                    if day.year == year and day <= self.today:
                        self.hamlet_wave(prefix, day, act_number, act_date, communes)
                if year == 2025 and D(2025, 7, 1) <= self.today:
                    self.communes_2025()
                if year == 2026:
                    self.split_2026()
                self.year_of_life(year)
        return self.summary


NAMES = {
    "male": ["Nguyễn Văn Thành", "Hồ Sỹ Nam", "Lê Đình Quang", "Phan Văn Lợi", "Trần Hữu Tài", "Võ Minh Đức"],
    "female": ["Nguyễn Thị Hương", "Lê Thị Thu", "Hồ Thị Lan", "Trần Thị Ngọc", "Phan Thị Hồng", "Đặng Thị Kim"],
}


def continue_to_today(today):
    """Apply the reorganisations and the years of life from 2017 to `today`."""
    return History(today).run()
