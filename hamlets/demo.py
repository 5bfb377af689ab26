"""The demo data set: Quỳnh Lưu district (QL) in 2016, rebuilt from the article.

`python manage.py build_demo_fixture` writes it to fixtures/demo/ in the
exchange format; `make run` imports that folder. The generator is seeded, so
the files only change when this module does.

How the article's figures are reached (special-area scope, 10 communes, 141
hamlets, as of 10/11/2016) — see docs/demo-data.md for the full table:

* 10 Catholic-area hamlets have neither a branch nor a resident member;
  4 more were unserved on 1/1/2016 and got a branch during 2016 (a joint
  branch for two hamlets, and two reinforced branches); one of those four had
  no resident member.
* 9 served hamlets have no resident member: their branches are made only of
  reinforcing members (teachers, commune officials) living elsewhere.
* 131 branches, each with a secretary, 74 of them trained. Two large hamlets
  have two branches and two branches are joint, so 131 hamlets are served.
* 20 branches have reinforcing members (97 in all).
* 6 small branches are at risk: 20 members, 13 of them 60 or older, nobody
  admitted for 5 years.
* Of 141 village heads, 48 are party members and 23 are trained.
* Elderly members are 65% of the members of the special-area branches.
"""

import datetime
import random

AS_OF = datetime.date(2016, 11, 10)
NORMAL_ADMISSION_BY = datetime.date(2015, 6, 30)
HEAD_ELECTION = datetime.date(2014, 6, 1)
YEAR_START = datetime.date(2016, 1, 1)
D = datetime.date

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Hồ",
    "Phan",
    "Võ",
    "Hoàng",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Dương",
    "Cao",
    "Thái",
    "Đinh",
]
MIDDLE_MALE = ["Văn", "Đình", "Xuân", "Hữu", "Quang", "Minh", "Đức", "Công", "Bá", "Sỹ"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Hồng", "Kim"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đông",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Lực",
    "Nam",
    "Phúc",
    "Quý",
    "Sơn",
    "Tâm",
    "Thắng",
    "Thành",
    "Tiến",
    "Toàn",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Hòa",
]
GIVEN_FEMALE = [
    "Anh",
    "Bích",
    "Chung",
    "Dung",
    "Hà",
    "Hằng",
    "Hiền",
    "Hoa",
    "Hương",
    "Lan",
    "Liên",
    "Loan",
    "Mai",
    "Nga",
    "Nhung",
    "Oanh",
    "Phương",
    "Tâm",
    "Thảo",
    "Thủy",
    "Trang",
    "Vân",
    "Yến",
    "Xuân",
]
PLACE = [
    "Tân Lộc",
    "Đông Hồ",
    "Bắc Sơn",
    "Trung Hòa",
    "Phú Lợi",
    "Thanh Xuân",
    "Yên Thành",
    "Tiến Thành",
    "Hải Thành",
    "Đồng Tâm",
    "Quyết Thắng",
    "Tân Phong",
    "Mỹ Hòa",
    "Thượng Hải",
    "Nam Sơn",
    "Hợp Thành",
    "Kim Liên",
    "Xuân Hòa",
    "An Thịnh",
    "Phú Nghĩa",
]

# (code, name, kind of hamlet, [(hamlet count, area types)])
SPECIAL_COMMUNES = [
    ("TTH", "Tân Thắng", [(5, "ban", ["ethnic_minority"]), (7, "thon", ["religious"])]),
    ("QTH", "Quỳnh Thanh", [(15, "thon", ["religious"])]),
    ("QYE", "Quỳnh Yên", [(14, "thon", ["religious"])]),
    ("TTY", "Tiến Thủy", [(16, "thon", ["religious"])]),
    ("SHA", "Sơn Hải", [(15, "xom", ["coastal"])]),
    ("QLO", "Quỳnh Long", [(14, "xom", ["coastal"])]),
    ("QTU", "Quỳnh Thuận", [(13, "xom", ["coastal"])]),
    ("QNG", "Quỳnh Nghĩa", [(14, "xom", ["coastal"])]),
    ("QBA", "Quỳnh Bảng", [(13, "xom", ["coastal"])]),
    ("QMI", "Quỳnh Minh", [(15, "xom", ["coastal"])]),
]
ORDINARY_COMMUNES = [
    ("CGI", "Thị trấn Cầu Giát", "khoi"),
    ("QBI", "Quỳnh Bá", "xom"),
    ("QDI", "Quỳnh Diễn", "xom"),
    ("QDO", "Quỳnh Đôi", "xom"),
    ("QGI", "Quỳnh Giang", "xom"),
    ("QHA", "Quỳnh Hậu", "xom"),
    ("QHO", "Quỳnh Hoa", "xom"),
    ("QHG", "Quỳnh Hồng", "xom"),
    ("QHU", "Quỳnh Hưng", "xom"),
    ("QLA", "Quỳnh Lâm", "xom"),
    ("QLU", "Quỳnh Lương", "xom"),
    ("QMY", "Quỳnh Mỹ", "xom"),
    ("QNO", "Quỳnh Ngọc", "xom"),
    ("QTA", "Quỳnh Tam", "xom"),
    ("QTN", "Quỳnh Tân", "xom"),
    ("QTC", "Quỳnh Thạch", "xom"),
    ("QTG", "Quỳnh Thắng", "xom"),
    ("QTO", "Quỳnh Thọ", "xom"),
    ("QVA", "Quỳnh Văn", "xom"),
    ("AHO", "An Hòa", "xom"),
    ("NSO", "Ngọc Sơn", "xom"),
    ("PSO", "Phú Sơn", "xom"),
    ("TSO", "Tân Sơn", "xom"),
]
# A neighbouring town, so that the province has more than one district.
HOANG_MAI = [("QTI", "Phường Quỳnh Thiện", "khoi"), ("QDY", "Phường Quỳnh Dị", "khoi"), ("MHU", "Xã Mai Hùng", "xom")]

KIND_WORD = {"xom": "Xóm", "thon": "Thôn", "ban": "Bản", "khoi": "Khối", "to_dan_pho": "Tổ dân phố"}


class Builder:
    def __init__(self, seed=2016):
        self.rng = random.Random(seed)
        self.tables = {
            name: []
            for name in (
                "area_types",
                "districts",
                "communes",
                "hamlets",
                "branches",
                "members",
                "memberships",
                "branch_secretaries",
                "village_heads",
                "admission_targets",
                "branch_ratings",
                "candidates",
            )
        }
        self.member_seq = 0
        self.candidate_seq = 0
        self.members = {}  # code -> row
        self.memberships_of = {}  # member code -> [membership rows]
        self.branch_members = {}  # branch code -> [member codes active at AS_OF]
        # members whose age is chosen at the end to hit the elderly share
        self.flexible = []

    # --- helpers -------------------------------------------------------------

    def day_between(self, start, end):
        return start + datetime.timedelta(days=self.rng.randrange((end - start).days + 1))

    def name(self, gender):
        if gender == "male":
            return f"{self.rng.choice(FAMILY)} {self.rng.choice(MIDDLE_MALE)} {self.rng.choice(GIVEN_MALE)}"
        return f"{self.rng.choice(FAMILY)} {self.rng.choice(MIDDLE_FEMALE)} {self.rng.choice(GIVEN_FEMALE)}"

    def add_member(
        self,
        *,
        hamlet,
        age="flexible",
        admitted_by=NORMAL_ADMISSION_BY,
        admitted_on=None,
        ethnicity="Kinh",
        religion="",
    ):
        """A member; `age` is "elderly", "young", "working" or "flexible" (decided later)."""
        self.member_seq += 1
        gender = "male" if self.rng.random() < 0.62 else "female"
        row = {
            "code": f"DV{self.member_seq:05d}",
            "full_name": self.name(gender),
            "gender": gender,
            "ethnicity": ethnicity,
            "religion": religion,
            "residence_hamlet_code": hamlet,
            "official_on": None,
            "trained_on": None,
            "exempt_since": None,
            "_age": age,
            "_admitted_by": admitted_by,
            "_admitted_on": admitted_on,
        }
        self.members[row["code"]] = row
        self.tables["members"].append(row)
        return row["code"]

    def set_age(self, code, age):
        row = self.members[code]
        if age == "elderly":
            birth = self.day_between(D(1932, 1, 1), D(1955, 12, 31))
        elif age == "young":
            birth = self.day_between(D(1985, 1, 1), D(1996, 6, 30))
        else:
            birth = self.day_between(D(1958, 1, 1), D(1990, 12, 31))
        row["birth_date"] = birth
        if row["_admitted_on"] is None:
            earliest = D(birth.year + 19, birth.month, min(birth.day, 28))
            latest = min(D(birth.year + 42, 1, 1), row["_admitted_by"])
            if earliest > latest:
                earliest = D(birth.year + 18, 12, 31)
            row["_admitted_on"] = self.day_between(earliest, max(earliest, latest))
        row["admitted_on"] = row["_admitted_on"]
        official = D(row["admitted_on"].year + 1, row["admitted_on"].month, min(row["admitted_on"].day, 28))
        row["official_on"] = official if official <= AS_OF else None
        if age == "elderly" and birth < D(1940, 1, 1) and self.rng.random() < 0.3:
            row["exempt_since"] = D(2012, 1, 1) + datetime.timedelta(days=self.rng.randrange(1400))

    def join(self, member, branch, joined=None, *, left=None, reason="", reinforcing=False):
        """A membership; joined_on None means "on admission, or when the branch was founded"."""
        row = {
            "member_code": member,
            "branch_code": branch,
            "joined_on": joined,
            "left_on": left,
            "left_reason": reason,
            "reinforcing": reinforcing,
        }
        self.tables["memberships"].append(row)
        self.memberships_of.setdefault(member, []).append(row)
        if left is None or left > AS_OF:
            self.branch_members.setdefault(branch, []).append(member)
        return row

    # --- units -----------------------------------------------------------------

    def area_types(self):
        self.tables["area_types"] += [
            {"code": "ethnic_minority", "name": "Vùng đồng bào dân tộc thiểu số"},
            {"code": "religious", "name": "Vùng đồng bào có đạo (vùng giáo)"},
            {"code": "coastal", "name": "Vùng bãi ngang ven biển"},
            {"code": "border", "name": "Vùng biên giới"},
        ]

    def district(self, code, name, established=None):
        self.tables["districts"].append(
            {"code": code, "name": name, "established_on": established, "dissolved_on": None}
        )

    def commune(self, code, name, district):
        self.tables["communes"].append(
            {"code": code, "name": name, "district_code": district, "established_on": None, "dissolved_on": None}
        )
        target = self.rng.randint(3, 9)
        self.tables["admission_targets"] += [
            {"commune_code": code, "year": 2015, "target": target},
            {"commune_code": code, "year": 2016, "target": target + self.rng.randint(0, 2)},
        ]

    def hamlets(self, commune, count, kind, types, start=1):
        names = self.rng.sample(PLACE, len(PLACE))
        codes = []
        for number in range(start, start + count):
            code = f"{commune}-{number:02d}"
            if kind in ("xom", "khoi"):
                name = f"{KIND_WORD[kind]} {number}"
            else:
                name = f"{KIND_WORD[kind]} {names[(number - start) % len(names)]}"
            self.tables["hamlets"].append(
                {
                    "code": code,
                    "name": name,
                    "commune_code": commune,
                    "kind": kind,
                    "area_types": types,
                    "established_on": None,
                    "dissolved_on": None,
                }
            )
            codes.append(code)
        return codes

    def branch(self, code, commune, hamlets, established, dissolved=None, name=None):
        if name is None:
            names = {h["code"]: h["name"] for h in self.tables["hamlets"]}
            name = "Chi bộ " + " – ".join(names[h] for h in hamlets)
        self.tables["branches"].append(
            {
                "code": code,
                "name": name,
                "commune_code": commune,
                "hamlet_codes": hamlets,
                "established_on": established,
                "dissolved_on": dissolved,
            }
        )
        return code

    # --- populating branches ---------------------------------------------------

    def populate(self, branch, established, hamlets, residents, *, religion="", ethnicity="Kinh", recent=True):
        """Resident members of a branch founded on `established`."""
        codes = []
        for index in range(residents):
            hamlet = hamlets[index % len(hamlets)]
            code = self.add_member(hamlet=hamlet, religion=religion, ethnicity=ethnicity)
            codes.append(code)
            self.join(code, branch, None)
        if recent and self.rng.random() < 0.55:
            # Someone admitted in the last few years keeps the branch young.
            code = self.add_member(hamlet=hamlets[0], age="working", religion=religion, ethnicity=ethnicity)
            self.members[code]["_admitted_on"] = self.day_between(D(2012, 6, 1), D(2015, 6, 30))
            self.join(code, branch, None)
            codes.append(code)
        return codes

    def admit_2016(self, branch, hamlet, commune, established, *, religion="", ethnicity="Kinh"):
        """A candidate identified in 2014–15, admitted in 2016 (probationary at the demo date)."""
        admitted = self.day_between(max(D(2016, 2, 1), established), D(2016, 10, 31))
        code = self.add_member(hamlet=hamlet, age="young", admitted_on=admitted, religion=religion, ethnicity=ethnicity)
        self.join(code, branch, admitted)
        self.candidate(
            hamlet,
            status="admitted",
            member=code,
            identified=D(2014, 9, 1) + datetime.timedelta(days=self.rng.randrange(400)),
            course=D(2015, 11, 1) + datetime.timedelta(days=self.rng.randrange(60)),
        )
        return code

    def candidate(self, hamlet, *, status, member=None, identified=None, course=None):
        self.candidate_seq += 1
        if member:
            row = self.members[member]
            full_name, gender = row["full_name"], row["gender"]
        else:
            gender = "male" if self.rng.random() < 0.5 else "female"
            full_name = self.name(gender)
        self.tables["candidates"].append(
            {
                "code": f"QC{self.candidate_seq:04d}",
                "full_name": full_name,
                "hamlet_code": hamlet,
                "gender": gender,
                "birth_date": None if member else self.day_between(D(1984, 1, 1), D(1997, 12, 31)),
                "identified_on": identified or self.day_between(D(2014, 1, 1), D(2016, 6, 30)),
                "course_completed_on": course,
                "status": status,
                "member_code": member,
                "_birth_from": member,
            }
        )

    def secretary(self, branch, member, start, end=None):
        self.tables["branch_secretaries"].append(
            {"branch_code": branch, "member_code": member, "start_on": start, "end_on": end}
        )

    def head(self, hamlet, *, member=None, trained=False, start=HEAD_ELECTION, end=None, suffix=""):
        if member:
            row = self.members[member]
            full_name, gender, birth = row["full_name"], row["gender"], None
        else:
            gender = "male" if self.rng.random() < 0.8 else "female"
            full_name, birth = self.name(gender), self.day_between(D(1955, 1, 1), D(1988, 12, 31))
        self.tables["village_heads"].append(
            {
                "code": f"TT-{hamlet}{suffix}",
                "hamlet_code": hamlet,
                "full_name": full_name,
                "gender": gender,
                "birth_date": birth,
                "member_code": member,
                "trained_on": self.day_between(D(2014, 8, 1), D(2016, 9, 30)) if trained else None,
                "term_start": start,
                "term_end": end,
                "_birth_from": member,
            }
        )

    # --- the special-area communes --------------------------------------------------

    def special_area(self):
        rng = self.rng
        communes = {}
        for code, name, groups in SPECIAL_COMMUNES:
            self.commune(code, name, "QL")
            hamlets = []
            for count, kind, types in groups:
                hamlets += [(h, types) for h in self.hamlets(code, count, kind, types, start=len(hamlets) + 1)]
            communes[code] = hamlets
        religious = {c: [h for h, t in hs if "religious" in t] for c, hs in communes.items()}

        # Roles of hamlets (see the module docstring).
        unserved = religious["TTH"][-1:] + religious["QTH"][-3:] + religious["QYE"][-3:] + religious["TTY"][-3:]
        joint_2016 = religious["QYE"][-5:-3]  # J1: joint branch founded 15/03/2016
        r1_hamlet = religious["QTH"][-4]  # reinforced, founded 20/05/2016, no resident member
        r2_hamlet = religious["TTY"][-4]  # reinforced, founded 25/08/2016, with residents
        all_reinforcing = [
            communes["TTH"][0][0],
            communes["TTH"][1][0],
            religious["QTH"][0],
            religious["QYE"][0],
            religious["TTY"][0],
            "QNG-01",
            "QBA-01",
            "QTU-01",
        ]
        at_risk = ["QTU-13", "QNG-14", "QBA-13", "QMI-15", "SHA-15", "QLO-14"]
        at_risk_sizes = [(3, 2), (3, 2), (3, 2), (3, 2), (4, 3), (4, 2)]
        doubled = ["SHA-02", "QLO-02"]
        joint_old = ["QMI-01", "QMI-02"]
        mixed = ["TTH-03", "QTH-02", "QYE-02", "TTY-02", "SHA-03", "QLO-03", "QTU-02", "QNG-02", "QBA-02", "QMI-03"]
        mixed_reinforcing = [5, 5, 5, 5, 5, 5, 5, 4, 4, 4]

        self.special_branches = []
        self.no_resident = set(unserved) | {r1_hamlet} | set(all_reinforcing)
        for commune, hamlets in communes.items():
            number = 0
            feeder = None  # branch whose members include residents of J1's hamlets until 2016
            for hamlet, types in hamlets:
                if (
                    hamlet in unserved
                    or hamlet in joint_2016
                    or hamlet in (r1_hamlet, r2_hamlet)
                    or hamlet == joint_old[1]
                ):
                    continue
                number += 1
                established = self.day_between(D(1955, 1, 1), D(1985, 12, 31))
                religion = "Công giáo" if "religious" in types else ""
                ethnicity = "Thái" if "ethnic_minority" in types else "Kinh"
                served = joint_old if hamlet == joint_old[0] else [hamlet]
                code = self.branch(f"{commune}-CB{number:02d}", commune, served, established)
                self.special_branches.append(code)
                if hamlet in all_reinforcing:
                    founded = self.day_between(D(2010, 3, 1), D(2015, 10, 31))
                    self.tables["branches"][-1]["established_on"] = founded
                    self.reinforce(code, commune, 5, founded)
                elif hamlet in at_risk:
                    size, elderly = at_risk_sizes[at_risk.index(hamlet)]
                    for index in range(size):
                        member = self.add_member(
                            hamlet=hamlet, age="elderly" if index < elderly else "working", admitted_by=D(2008, 12, 31)
                        )
                        self.join(member, code, None)
                else:
                    residents = rng.randint(7, 16) + (4 if hamlet in doubled else 0)
                    self.populate(code, established, served, residents, religion=religion, ethnicity=ethnicity)
                    if hamlet in mixed:
                        self.reinforce(
                            code,
                            commune,
                            mixed_reinforcing[mixed.index(hamlet)],
                            self.day_between(D(2011, 1, 1), D(2015, 12, 31)),
                        )
                    if rng.random() < 0.3:
                        self.admit_2016(code, hamlet, commune, established, religion=religion, ethnicity=ethnicity)
                    if commune == "QYE" and feeder is None and hamlet not in mixed:
                        feeder = code
                if hamlet in doubled:
                    number += 1
                    second = self.branch(
                        f"{commune}-CB{number:02d}",
                        commune,
                        [hamlet],
                        D(1998, 3, 2),
                        name=f"Chi bộ {self.hamlet_name(hamlet)} số 2",
                    )
                    self.tables["branches"][-2]["name"] += " số 1"
                    self.special_branches.append(second)
                    self.populate(second, D(1998, 3, 2), [hamlet], rng.randint(7, 12), religion=religion)
            if commune == "QYE":
                number += 1
                self.joint_2016(f"QYE-CB{number:02d}", joint_2016, feeder)
            if commune == "QTH":
                number += 1
                founded = D(2016, 5, 20)
                code = self.branch(f"QTH-CB{number:02d}", "QTH", [r1_hamlet], founded)
                self.special_branches.append(code)
                self.reinforce(code, "QTH", 5, founded)
            if commune == "TTY":
                number += 1
                founded = D(2016, 8, 25)
                code = self.branch(f"TTY-CB{number:02d}", "TTY", [r2_hamlet], founded)
                self.special_branches.append(code)
                # Residents attached to the commune's first mixed branch until the new branch was founded.
                host = "TTY-CB02"
                for _ in range(4):
                    member = self.add_member(hamlet=r2_hamlet, religion="Công giáo")
                    self.join(member, host, None, left=founded, reason="transferred")
                    self.join(member, code, founded)
                self.reinforce(code, "TTY", 5, founded)

        self.heads_and_secretaries(communes)
        for hamlet in unserved:
            if rng.random() < 0.6:
                self.candidate(hamlet, status=rng.choice(["cultivating", "cultivating", "applied", "dropped"]))

    def hamlet_name(self, hamlet):
        return next(h["name"] for h in self.tables["hamlets"] if h["code"] == hamlet)

    def reinforce(self, branch, commune, count, joined):
        """Reinforcing members: commune officials and teachers living elsewhere."""
        for _ in range(count):
            code = self.add_member(hamlet=None, age="working", admitted_by=D(2009, 12, 31))
            self.join(code, branch, joined, reinforcing=True)

    def joint_2016(self, code, hamlets, feeder):
        """Two hamlets whose members sat in a neighbouring branch get a joint
        branch of their own on 15/03/2016 (members transferred)."""
        founded = D(2016, 3, 15)
        self.branch(
            code, "QYE", hamlets, founded, name="Chi bộ ghép " + " – ".join(self.hamlet_name(h) for h in hamlets)
        )
        self.special_branches.append(code)
        for index in range(7):
            member = self.add_member(hamlet=hamlets[index % 2], religion="Công giáo")
            self.join(member, feeder, None, left=founded, reason="transferred")
            self.join(member, code, founded)

    def heads_and_secretaries(self, communes):
        rng = self.rng
        all_hamlets = [h for hs in communes.values() for h, _t in hs]
        residents = {}
        for branch in self.special_branches:
            for member in self.branch_members.get(branch, []):
                row = self.members[member]
                mship = next(m for m in self.memberships_of[member] if m["branch_code"] == branch)
                if row["residence_hamlet_code"] and not mship["reinforcing"] and row["_age"] != "young":
                    residents.setdefault(row["residence_hamlet_code"], []).append((member, branch))
        with_residents = [h for h in all_hamlets if h in residents]
        party_heads = set(rng.sample(with_residents, 48))
        trained_heads = set(rng.sample(all_hamlets, 23))
        head_member = {}
        for hamlet in all_hamlets:
            member = None
            if hamlet in party_heads:
                member, _branch = rng.choice(residents[hamlet])
                head_member[hamlet] = member
            if rng.random() < 0.25:
                # The previous term, 2.5 years, before the 2014 election.
                self.head(hamlet, start=D(2011, 12, 1), end=D(2014, 6, 1), suffix="-2011")
            self.head(hamlet, member=member, trained=hamlet in trained_heads)

        # Secretaries: one per branch; in 10 hamlets the head is also the secretary.
        trained_secretaries = set(rng.sample(self.special_branches, 74))
        branch_hamlets = {b["code"]: b["hamlet_codes"] for b in self.tables["branches"]}
        double_hats = 0
        replaced = "QLO-CB05"
        for branch in self.special_branches:
            founded = next(b["established_on"] for b in self.tables["branches"] if b["code"] == branch)
            candidates = [m for m in self.branch_members[branch] if self.members[m]["_age"] != "young"]
            choice = None
            for hamlet in branch_hamlets[branch]:
                if double_hats < 10 and head_member.get(hamlet) in candidates:
                    choice = head_member[hamlet]
                    double_hats += 1
                    break
            if choice is None:
                choice = rng.choice(candidates)
            start = max(founded, D(2015, 7, 1)) if founded >= D(2010, 1, 1) else D(2015, 7, 1)
            mship = next(m for m in self.memberships_of[choice] if m["branch_code"] == branch)
            if mship["joined_on"] and mship["joined_on"] > start:
                start = mship["joined_on"]
            if branch == replaced:
                # The secretary elected in 2010 died in April 2016; a new one took over.
                old = self.add_member(hamlet=branch_hamlets[branch][0], age="elderly")
                self.join(old, branch, None, left=D(2016, 4, 10), reason="deceased")
                self.secretary(branch, old, D(2010, 7, 1), D(2016, 4, 10))
                start = D(2016, 4, 15)
            self.secretary(branch, choice, start)
            if branch in trained_secretaries:
                self.members[choice]["trained_on"] = self.day_between(D(2009, 1, 1), D(2016, 6, 30))
        self.secretary_members = set()

    # --- ordinary communes -----------------------------------------------------------

    def ordinary(self, district, communes):
        rng = self.rng
        for code, name, kind in communes:
            self.commune(code, name, district)
            hamlets = self.hamlets(code, rng.randint(5, 9), kind, [])
            number = 0
            index = 0
            while index < len(hamlets):
                hamlet = hamlets[index]
                if rng.random() < 0.05:
                    index += 1  # an unserved hamlet
                    self.head(hamlet)
                    continue
                served = hamlets[index : index + 2] if rng.random() < 0.12 and index + 1 < len(hamlets) else [hamlet]
                index += len(served)
                number += 1
                established = self.day_between(D(1955, 1, 1), D(1990, 12, 31))
                branch = self.branch(f"{code}-CB{number:02d}", code, served, established)
                members = self.populate(branch, established, served, rng.randint(8, 24))
                for member in members:
                    if self.members[member]["_age"] == "flexible":
                        self.members[member]["_age"] = "elderly" if rng.random() < 0.55 else "working"
                if rng.random() < 0.4:
                    self.admit_2016(branch, hamlet, code, established)
                secretary = rng.choice([m for m in members if self.members[m]["_age"] != "young"])
                self.secretary(branch, secretary, D(2015, 7, 1))
                if rng.random() < 0.6:
                    self.members[secretary]["trained_on"] = self.day_between(D(2010, 1, 1), D(2016, 6, 30))
                for h in served:
                    party = rng.random() < 0.45
                    member = rng.choice(members[:3]) if party and rng.random() < 0.9 else None
                    if member and self.members[member]["residence_hamlet_code"] != h:
                        member = None
                    self.head(h, member=member, trained=rng.random() < 0.3)
                # A few deaths and removals during 2016.
                if rng.random() < 0.15:
                    gone = self.add_member(hamlet=hamlet, age="elderly")
                    self.join(
                        gone,
                        branch,
                        None,
                        left=self.day_between(D(2016, 1, 15), D(2016, 10, 1)),
                        reason=rng.choice(["deceased", "deceased", "removed"]),
                    )
            if rng.random() < 0.6:
                self.candidate(hamlets[0], status=rng.choice(["cultivating", "applied", "dropped"]))

    def merged_branch(self):
        """In Quỳnh Văn two small branches were merged into one joint branch on
        30/06/2016: the old ones are dissolved and a new one founded."""
        old = [b for b in self.tables["branches"] if b["commune_code"] == "QVA" and len(b["hamlet_codes"]) == 1][:2]
        merged_on = D(2016, 6, 30)
        hamlets = [h for b in old for h in b["hamlet_codes"]]
        new_code = f"QVA-CB{len([b for b in self.tables['branches'] if b['commune_code'] == 'QVA']) + 1:02d}"
        self.branch(
            new_code, "QVA", hamlets, merged_on, name="Chi bộ ghép " + " – ".join(self.hamlet_name(h) for h in hamlets)
        )
        for b in old:
            b["dissolved_on"] = merged_on
            for row in [m for m in self.tables["memberships"] if m["branch_code"] == b["code"]]:
                if row["joined_on"] is not None and row["joined_on"] >= merged_on:
                    # Admitted after the merger: straight into the new branch.
                    row["branch_code"] = new_code
                    self.branch_members[b["code"]].remove(row["member_code"])
                    self.branch_members.setdefault(new_code, []).append(row["member_code"])
                elif row["left_on"] is None:
                    row["left_on"], row["left_reason"] = merged_on, "transferred"
                    self.branch_members[b["code"]].remove(row["member_code"])
                    self.join(row["member_code"], new_code, merged_on)
                elif row["left_on"] > merged_on:
                    row["left_on"] = D(2016, 5, 15)
            for term in self.tables["branch_secretaries"]:
                if term["branch_code"] == b["code"] and term["end_on"] is None:
                    term["end_on"] = merged_on
            self.tables["branch_ratings"] = [r for r in self.tables["branch_ratings"] if r["branch_code"] != b["code"]]
        first = old[0]["code"]
        successor = next(t["member_code"] for t in self.tables["branch_secretaries"] if t["branch_code"] == first)
        self.secretary(new_code, successor, merged_on)

    # --- finishing -------------------------------------------------------------------

    def assign_ages(self):
        """Decide the flexible members' ages so that elderly members are 65% of
        the special-area branches' active members."""
        # In list order, not a set's: the same data whatever PYTHONHASHSEED.
        special = list(dict.fromkeys(self.special_branches))
        active = [m for b in special for m in self.branch_members.get(b, [])]
        fixed_elderly = sum(1 for m in active if self.members[m]["_age"] == "elderly")
        flexible = [m for m in active if self.members[m]["_age"] == "flexible"]
        wanted = round(0.65 * len(active)) - fixed_elderly
        elderly = set(self.rng.sample(flexible, wanted))
        for code, row in self.members.items():
            age = row["_age"]
            if age == "flexible":
                age = "elderly" if code in elderly else "working"
            self.set_age(code, age)

    def finish(self):
        founded = {b["code"]: b["established_on"] for b in self.tables["branches"]}
        for row in self.tables["memberships"]:
            member = self.members[row["member_code"]]
            if row["joined_on"] is None:
                row["joined_on"] = max(member["admitted_on"], founded[row["branch_code"]])
        # Heads and candidates linked to members carry the member's birth date.
        for table in ("village_heads", "candidates"):
            for row in self.tables[table]:
                if row.get("_birth_from"):
                    row["birth_date"] = self.members[row["_birth_from"]]["birth_date"]
        for branch in self.tables["branches"]:
            if branch["established_on"] <= D(2015, 12, 31) and (branch["dissolved_on"] is None):
                roll = self.rng.random()
                rating = (
                    "excellent"
                    if roll < 0.15
                    else "good"
                    if roll < 0.7
                    else "completed"
                    if roll < 0.95
                    else "not_completed"
                )
                self.tables["branch_ratings"].append({"branch_code": branch["code"], "year": 2015, "rating": rating})

    def build(self):
        self.area_types()
        self.district("QL", "Quỳnh Lưu")
        self.district("HM", "Thị xã Hoàng Mai", D(2013, 6, 1))
        self.special_area()
        self.ordinary("QL", ORDINARY_COMMUNES)
        self.ordinary("HM", HOANG_MAI)
        self.assign_ages()
        self.merged_branch()
        self.finish()
        return self.tables


def demo_tables():
    """{sheet: (header, rows)} in the exchange format, sorted as export_data sorts."""
    from .exchange import values
    from .exchange.schema import SHEETS

    raw = Builder().build()
    tables = {}
    for sheet in SHEETS:
        header = [c.key for c in sheet.columns]
        rows = [[row.get(key) for key in header] for row in raw.get(sheet.name, [])]
        positions = [header.index(k) for k in sheet.key]
        rows.sort(key=lambda row: tuple(row[i] for i in positions))
        tables[sheet.name] = (header, [[values.format_value(v) for v in row] for row in rows])
    return tables
