"""The single changes the hardening issue listed, each applied on its own to
the source and run against tests/test_boundaries.py: every one must fail a
test ("KILLED"). Run by `make mutation` before mutmut; the source is restored
after each change (run it from a clean checkout: it edits files in place).

Usage: python tools/hand_mutants.py [index ...]
"""

import glob
import os
import subprocess
import sys
from pathlib import Path

os.chdir(Path(__file__).resolve().parent.parent)
M = [
    ("reports/indicators.py", 'official_on__lte": day', 'official_on__lt": day'),
    ("reports/indicators.py", 'row["full_count"] < risk["min_full"]', 'row["full_count"] <= risk["min_full"]'),
    ("reports/indicators.py", 'lambda r: r["has_head"] and r["served_with_secretary"]', 'lambda r: r["has_head"]'),
    (
        "reports/indicators.py",
        "admitted_q(datetime.date(day.year, 1, 1), day), branch__commune__in",
        "admitted_q(datetime.date(day.year - 1, 12, 31), day), branch__commune__in",
    ),
    (
        "reports/indicators.py",
        'Count("pk", filter=admitted_q(datetime.date(day.year, 1, 1), day))',
        'Count("pk", filter=admitted_q(datetime.date(day.year - 1, 12, 31), day))',
    ),
    ("reports/indicators.py", "any(hamlet_count[b] < 2 for b in serving)", "all(hamlet_count[b] < 2 for b in serving)"),
    (
        "hamlets/rules.py",
        "member.admitted_on < add_years(member.birth_date, MIN_ADMISSION_AGE)",
        "member.admitted_on <= add_years(member.birth_date, MIN_ADMISSION_AGE)",
    ),
    (
        "hamlets/rules.py",
        "head.term_start < add_years(head.birth_date, MIN_VILLAGE_HEAD_AGE)",
        "head.term_start <= add_years(head.birth_date, MIN_VILLAGE_HEAD_AGE)",
    ),
    (
        "hamlets/permissions.py",
        "        if profile.commune_id:\n            return Commune.objects.filter(pk=profile.commune_id)\n",
        "",
    ),
    (
        "hamlets/permissions.py",
        "return profile.commune_id is None and profile.district_id == unit.pk",
        "return profile.district_id == unit.pk",
    ),
    (
        "hamlets/models.py",
        "return self.visible_to(user) if can_edit(user) else self.none()",
        "return self.visible_to(user)",
    ),
    (
        "hamlets/exchange/importer.py",
        "            with transaction.atomic():\n                self.lock_parents(parsed)",
        "            if True:\n                self.lock_parents(parsed)",
    ),
    (
        "reports/summaries.py",
        "    summary = _lock_existing(summary)\n"
        "    _refuse_unless(summary, MonthlySummary.Status.SUBMITTED)\n"
        "    summary.frozen",
        "    summary = _lock_existing(summary)\n    summary.frozen",
    ),
    ("hamlets/actions.py", "left_on__lte=on).count()", "left_on__lt=on).count()"),
    ("hamlets/actions.py", "    if still:", "    if still > 1:"),
    (
        "hamlets/rules.py",
        "            if _overlaps(joined, membership.left_on, other.joined_on, other.left_on):",
        "            if False:",
    ),
    (
        "hamlets/rules.py",
        "branch.dissolved_on is not None and (membership.left_on is None or membership.left_on > branch.dissolved_on)",
        "False",
    ),
    ("hamlets/rules.py", "    if not covered:", "    if False:"),
]
only = [int(a) for a in sys.argv[1:]]
survived = 0
for i, (path, old, new) in enumerate(M):
    if only and i not in only:
        continue
    if path == "reports/indicators.py":
        path = next(p for p in sorted(glob.glob("reports/indicators/*.py")) if old in Path(p).read_text())
    src = Path(path).read_text()
    if old not in src:
        print(i, "NOT FOUND", old[:60])
        continue
    Path(path).write_text(src.replace(old, new, 1))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:warnings", "tests/test_boundaries.py"],
            capture_output=True,
            text=True,
            env={**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "mutation-only")},
        )
    finally:
        Path(path).write_text(src)
    outcome = "KILLED" if result.returncode else "SURVIVED"
    survived += outcome == "SURVIVED"
    print(i, outcome, path, old[:50].replace("\n", " "))
sys.exit(1 if survived else 0)
