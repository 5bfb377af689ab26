"""Generate a province-sized data set in the exchange format, for benchmarks,
or (--national) a country at real proportions.

Seeded and reproducible: the same arguments give the same files. The data obey
every rule of domain.md, so `import_data` accepts them.

The national set is written one province at a time (hamlets/generated_country.py):
a folder `00-nation/` with the provinces and the 2025 province mergers, then a
folder per province; `import_data` imports such a folder of folders part by
part, so neither command holds more than one province in memory.
"""

import datetime
import random
from pathlib import Path

from django.core.management.base import BaseCommand

from hamlets.exchange import values
from hamlets.exchange.files import write_folder
from hamlets.exchange.schema import SHEETS

D = datetime.date
AS_OF = D(2026, 6, 30)
AREAS = ["ethnic_minority", "religious", "coastal", "border"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Hồ", "Phan", "Võ", "Hoàng", "Đặng", "Bùi", "Đỗ", "Ngô", "Cao"]
MIDDLE = ["Văn", "Thị", "Đình", "Xuân", "Hữu", "Quang", "Minh", "Ngọc", "Thu", "Đức"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Sơn", "Tâm", "Vân"]


class Command(BaseCommand):
    help = "Sinh dữ liệu giả lập cỡ một tỉnh (định dạng trao đổi) để đo tốc độ."

    def add_arguments(self, parser):
        parser.add_argument("output", help="thư mục sẽ chứa các tệp <trang>.csv")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--communes", type=int, default=130)
        parser.add_argument("--hamlets", type=int, default=3800)
        parser.add_argument("--branches", type=int, default=4000)
        parser.add_argument("--members", type=int, default=200_000)
        parser.add_argument(
            "--national",
            action="store_true",
            help="cả nước: 34 tỉnh, 3.321 xã, khoảng 90.000 thôn và 5,6 triệu đảng viên (nhân với --scale)",
        )
        parser.add_argument("--scale", type=float, default=1.0, help="với --national: tỉ lệ số xã, thôn, đảng viên")

    def handle(self, *args, output, seed, communes, hamlets, branches, members, national=False, scale=1.0, **options):
        if national:
            from hamlets.generated_country import write_country

            for part, counts in write_country(Path(output), seed=seed, scale=scale):
                self.stdout.write(f"{part}: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
            return
        tables = generate(seed=seed, communes=communes, hamlets=hamlets, branches=branches, members=members)
        write_folder(Path(output), tables)
        for name, (_header, rows) in tables.items():
            self.stdout.write(f"{name}: {len(rows)}")


def day_between(rng, start, end):
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def generate(*, seed, communes, hamlets, branches, members, prefix="", province=None):
    """A province's tables. `prefix` makes its codes unique in a country
    ("NA-X001", "NA-CB00001", "NA-DV000001"); `province`: its province code."""
    rng = random.Random(seed)
    raw = {sheet.name: [] for sheet in SHEETS}
    raw["area_types"] = [{"code": code, "name": code.replace("_", " ").capitalize()} for code in AREAS]

    commune_codes = [f"{prefix}X{n:03d}" for n in range(1, communes + 1)]
    for code in commune_codes:
        raw["communes"].append(
            {"code": code, "name": f"Xã {code}", "province_code": province, "established_on": D(2025, 7, 1)}
        )
        for year in (2025, 2026):
            raw["admission_targets"].append({"commune_code": code, "year": year, "target": rng.randint(5, 25)})

    hamlets_of = {code: [] for code in commune_codes}
    for n in range(hamlets):
        commune = commune_codes[n % communes]
        code = f"{commune}-T{len(hamlets_of[commune]) + 1:03d}"
        areas = rng.sample(AREAS, 1) if rng.random() < 0.3 else []
        raw["hamlets"].append(
            {
                "code": code,
                "name": f"Thôn {len(hamlets_of[commune]) + 1}",
                "commune_code": commune,
                "kind": "thon",
                "area_types": areas,
            }
        )
        hamlets_of[commune].append(code)

    # Branches: most hamlets have their own, some share a joint branch, a few have none;
    # the remainder are second branches of large hamlets.
    branch_rows = []
    for commune in commune_codes:
        pending = list(hamlets_of[commune])
        while pending:
            hamlet = pending.pop(0)
            roll = rng.random()
            if roll < 0.04:
                continue  # no branch
            served = [hamlet]
            if roll < 0.10 and pending:
                served.append(pending.pop(0))
            branch_rows.append((commune, served))
    while len(branch_rows) < branches:
        commune = rng.choice(commune_codes)
        branch_rows.append((commune, [rng.choice(hamlets_of[commune])]))
    branch_rows = branch_rows[:branches]
    branch_codes = []
    for n, (commune, served) in enumerate(branch_rows, start=1):
        code = f"{prefix}CB{n:05d}"
        founded = day_between(rng, D(1960, 1, 1), D(2020, 12, 31))
        raw["branches"].append(
            {
                "code": code,
                "name": f"Chi bộ {code}",
                "commune_code": commune,
                "hamlet_codes": served,
                "established_on": founded,
            }
        )
        branch_codes.append((code, founded, served))

    # Members, spread over branches; 10% transferred once from another branch of the commune.
    by_branch = {code: [] for code, _f, _s in branch_codes}
    for n in range(1, members + 1):
        code = f"{prefix}DV{n:06d}"
        branch, founded, served = branch_codes[rng.randrange(len(branch_codes))]
        birth = day_between(rng, D(1935, 1, 1), D(2000, 12, 31))
        earliest = max(D(birth.year + 19, 1, 1), D(1955, 1, 1))
        admitted = day_between(rng, earliest, min(D(birth.year + 45, 1, 1), D(2026, 5, 31)))
        official = D(admitted.year + 1, admitted.month, min(admitted.day, 28))
        raw["members"].append(
            {
                "code": code,
                "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                "gender": rng.choice(["male", "female"]),
                "birth_date": birth,
                "ethnicity": "Kinh",
                "residence_hamlet_code": rng.choice(served) if rng.random() < 0.9 else None,
                "admitted_on": admitted,
                "official_on": official if official <= AS_OF else None,
                "trained_on": day_between(rng, admitted, D(2026, 5, 31)) if rng.random() < 0.1 else None,
            }
        )
        joined = max(admitted, founded)
        if rng.random() < 0.1 and joined < D(2020, 1, 1):
            first = branch_codes[rng.randrange(len(branch_codes))]
            start = max(admitted, first[1])
            move = day_between(rng, max(start, joined) + datetime.timedelta(days=1), D(2026, 5, 31))
            raw["memberships"].append(
                {
                    "member_code": code,
                    "branch_code": first[0],
                    "joined_on": start,
                    "left_on": move,
                    "left_reason": "transferred",
                    "reinforcing": False,
                }
            )
            joined = move
        left = None
        if rng.random() < 0.05:
            left = day_between(rng, joined + datetime.timedelta(days=1), D(2026, 6, 1))
        raw["memberships"].append(
            {
                "member_code": code,
                "branch_code": branch,
                "joined_on": joined,
                "left_on": left,
                "left_reason": rng.choice(["deceased", "removed", "other"]) if left else "",
                "reinforcing": rng.random() < 0.03,
            }
        )
        if left is None:
            by_branch[branch].append((code, joined))

    for code, _founded, _served in branch_codes:
        active = by_branch[code]
        if active:
            member, joined = rng.choice(active)
            raw["branch_secretaries"].append(
                {"branch_code": code, "member_code": member, "start_on": max(joined, D(2020, 10, 1))}
            )
        raw["branch_ratings"].append(
            {
                "branch_code": code,
                "year": 2025,
                "rating": rng.choice(["excellent", "good", "good", "completed", "not_completed"]),
            }
        )

    for commune in commune_codes:
        for hamlet in hamlets_of[commune]:
            raw["village_heads"].append(
                {
                    "code": f"TT-{hamlet}",
                    "hamlet_code": hamlet,
                    "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                    "birth_date": day_between(rng, D(1960, 1, 1), D(1995, 12, 31)),
                    "trained_on": D(2024, 3, 1) if rng.random() < 0.3 else None,
                    "term_start": D(2024, 1, 1),
                }
            )

    return as_tables(raw)


def as_tables(raw):
    """{sheet: (header, rows of text)} of {sheet: [row dicts]}, every sheet of the format."""
    tables = {}
    for sheet in SHEETS:
        header = [c.key for c in sheet.columns]
        rows = [[row.get(key) for key in header] for row in raw.get(sheet.name, [])]
        tables[sheet.name] = (header, [[values.format_value(v) for v in row] for row in rows])
    return tables
