"""Per-commune figures are invalidated by signals (reports/versions.py) and
by the import's `records_written`. A `QuerySet.update()` or a raw bulk write
on a registry model would change data silently and leave stale figures in
the cache: this test finds any in the application's code."""

import re
from pathlib import Path

from django.conf import settings

REGISTRY = (
    "Hamlet|Commune|District|Branch|Member|Membership|BranchSecretary|VillageHead|AdmissionTarget|BranchRating"
    "|AreaType|ParentChange"
)
SILENT = re.compile(rf"\b({REGISTRY})\.objects\.[^\n]*\.(update|bulk_update|bulk_create)\(")


def test_no_registry_write_bypasses_the_version_signals():
    root = Path(settings.BASE_DIR)
    offenders = []
    for folder in ("hamlets", "reports", "coverage_site"):
        for path in (root / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if SILENT.search(line):
                    offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == [], "\n".join(offenders)
