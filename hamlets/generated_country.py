"""A generated country at real proportions, for the national benchmark.

34 provinces (since 1/7/2025), 3,321 communes, about 90,000 hamlets and 5.6
million members, each province made by the province generator
(`generate_data`) with its own seed and code prefix, and the 2025 province
mergers (63 → 34) as applied events with their lineage. Written part by
part: `00-nation/` (area types, provinces, events), then one folder per
province, each written before the next is made, so memory holds one
province at a time. `import_data` imports the parts in order.
"""

import datetime
import json
import random

from .exchange.files import write_folder

D = datetime.date
MERGED_ON = D(2025, 7, 1)
COMMUNES, HAMLETS, MEMBERS = 3_321, 90_000, 5_600_000

# The provinces since 1/7/2025 (Nghị quyết 202/2025/QH15): code, name, and
# the provinces merged into it (the first keeps its name and code).
PROVINCES = [
    ("HN", "Hà Nội", []),
    ("HUE", "Huế", []),
    ("LCH", "Lai Châu", []),
    ("DB", "Điện Biên", []),
    ("SL", "Sơn La", []),
    ("LS", "Lạng Sơn", []),
    ("QNI", "Quảng Ninh", []),
    ("TH", "Thanh Hóa", []),
    ("NA", "Nghệ An", []),
    ("HT", "Hà Tĩnh", []),
    ("CB", "Cao Bằng", []),
    ("TQ", "Tuyên Quang", [("HG", "Hà Giang")]),
    ("LC", "Lào Cai", [("YB", "Yên Bái")]),
    ("TN", "Thái Nguyên", [("BK", "Bắc Kạn")]),
    ("PT", "Phú Thọ", [("VP", "Vĩnh Phúc"), ("HB", "Hòa Bình")]),
    ("BN", "Bắc Ninh", [("BG", "Bắc Giang")]),
    ("HY", "Hưng Yên", [("TB", "Thái Bình")]),
    ("HP", "Hải Phòng", [("HD", "Hải Dương")]),
    ("NB", "Ninh Bình", [("HNA", "Hà Nam"), ("ND", "Nam Định")]),
    ("QT", "Quảng Trị", [("QB", "Quảng Bình")]),
    ("DN", "Đà Nẵng", [("QNA", "Quảng Nam")]),
    ("QNG", "Quảng Ngãi", [("KT", "Kon Tum")]),
    ("GL", "Gia Lai", [("BD", "Bình Định")]),
    ("KH", "Khánh Hòa", [("NT", "Ninh Thuận")]),
    ("LD", "Lâm Đồng", [("DNO", "Đắk Nông"), ("BTH", "Bình Thuận")]),
    ("DL", "Đắk Lắk", [("PY", "Phú Yên")]),
    ("HCM", "Hồ Chí Minh", [("BDU", "Bình Dương"), ("BR", "Bà Rịa - Vũng Tàu")]),
    ("DNA", "Đồng Nai", [("BP", "Bình Phước")]),
    ("TNI", "Tây Ninh", [("LA", "Long An")]),
    ("CT", "Cần Thơ", [("ST", "Sóc Trăng"), ("HGI", "Hậu Giang")]),
    ("VL", "Vĩnh Long", [("BT", "Bến Tre"), ("TV", "Trà Vinh")]),
    ("DT", "Đồng Tháp", [("TG", "Tiền Giang")]),
    ("CM", "Cà Mau", [("BL", "Bạc Liêu")]),
    ("AG", "An Giang", [("KG", "Kiên Giang")]),
]


def shares(total, weights):
    """`total` split in proportion to `weights`, whole numbers adding up to it (largest remainder)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    for index in sorted(range(len(weights)), key=lambda i: parts[i] - exact[i])[: total - sum(parts)]:
        parts[index] += 1
    return parts


def nation_tables(area_rows):
    from .management.commands.generate_data import as_tables

    raw = {"area_types": area_rows, "provinces": [], "reorganisations": [], "lineage_links": []}
    for code, name, merged in PROVINCES:
        raw["provinces"].append({"code": code, "name": name, "established_on": None})
        for old_code, old_name in merged:
            raw["provinces"].append({"code": old_code, "name": old_name, "dissolved_on": MERGED_ON})
        if not merged:
            continue
        event = f"SN-2025-{code}"
        raw["reorganisations"].append(
            {
                "code": event,
                "level": "province",
                "kind": "merge",
                "effective_on": MERGED_ON,
                "act_number": "202/2025/QH15",
                "act_date": D(2025, 6, 12),
                "act_issuer": "Quốc hội",
                "status": "applied",
                "content": json.dumps(
                    {"from": [code] + [c for c, _n in merged], "to": [{"code": code, "name": name}]},
                    ensure_ascii=False,
                    sort_keys=True,
                    separators=(",", ":"),
                ),
            }
        )
        for predecessor in [code] + [c for c, _n in merged]:
            raw["lineage_links"].append(
                {"event_code": event, "from_province_code": predecessor, "to_province_code": code, "whole": True}
            )
    return {name: table for name, table in as_tables(raw).items() if table[1]}


def write_country(output, *, seed=1, scale=1.0):
    """Write the country under `output`; yields (part, {sheet: rows}) as each part is written."""
    from .management.commands.generate_data import AREAS, generate

    rng = random.Random(seed)
    count = len(PROVINCES)
    # At least one commune each, the rest in proportion to a seeded weight.
    weights = [rng.uniform(0.5, 1.5) for _ in range(count)]
    communes = [1 + n for n in shares(max(0, round(COMMUNES * scale) - count), weights)]
    hamlets = shares(max(count, round(HAMLETS * scale)), communes)
    members = shares(max(count, round(MEMBERS * scale)), communes)
    areas = [{"code": code, "name": code.replace("_", " ").capitalize()} for code in AREAS]
    tables = nation_tables(areas)
    write_folder(output / "00-nation", tables)
    yield "00-nation", {name: len(rows) for name, (_header, rows) in tables.items()}
    for number, ((code, _name, _merged), c, h, m) in enumerate(
        zip(PROVINCES, communes, hamlets, members, strict=True), start=1
    ):
        hamlet_count = max(h, c)
        tables = generate(
            seed=seed * 1000 + number,
            communes=c,
            hamlets=hamlet_count,
            branches=round(hamlet_count * 1.05),
            members=m,
            prefix=f"{code}-",
            province=code,
        )
        del tables["area_types"]  # in 00-nation
        tables = {name: table for name, table in tables.items() if table[1]}
        part = f"{number:02d}-{code}"
        write_folder(output / part, tables)
        yield part, {name: len(rows) for name, (_header, rows) in tables.items()}
