"""Accounts and addresses for the load test (make loadtest), in the database
that DATABASE_URL names: provincial viewers and one clerk per district, all
with the password LOADTEST_PASSWORD; writes var/loadtest/targets.json with the
districts, communes, hamlets and members the simulated users open.

Run as: DATABASE_URL=… python tools/loadtest/prepare.py
"""

import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coverage_site.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402

from hamlets.models import Commune, District, Hamlet, Member, Profile, Province  # noqa: E402

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "load-test-only")
VIEWERS = 10
# A national data set has 3,321 communes: LOADTEST_MAX_CLERKS of them get a clerk (all by default).
MAX_CLERKS = int(os.environ.get("LOADTEST_MAX_CLERKS", 0)) or None
HASHED = make_password(PASSWORD)  # hashed once: the same password for every account


def account(username, role, district=None, commune=None):
    user, _created = User.objects.get_or_create(username=username)
    user.password = HASHED
    user.save()
    Profile.objects.update_or_create(user=user, defaults={"role": role, "district": district, "commune": commune})
    return username


def main():
    """Clerks work for a district where there are districts, else (communes
    directly under the province since 1/7/2025) for a commune."""
    rng = random.Random(2026)
    viewers = [account(f"load_tinh_{n}", "provincial_viewer") for n in range(VIEWERS)]
    districts = list(District.objects.order_by("code"))
    if districts:
        units = [("district", d, Commune.objects.filter(district=d)) for d in districts]
    else:
        units = [("commune", c, Commune.objects.filter(pk=c.pk)) for c in Commune.objects.order_by("code")]
    if MAX_CLERKS and len(units) > MAX_CLERKS:
        units = rng.sample(units, MAX_CLERKS)
    # A national installation: viewers also open the provinces' dashboards.
    provinces = list(Province.objects.filter(dissolved_on__isnull=True).values_list("code", flat=True))
    targets = {
        "password": PASSWORD,
        "viewers": viewers,
        "units": {},
        "provinces": provinces if len(provinces) > 1 else [],
    }
    for kind, unit, communes in units:
        clerk = account(
            f"load_{kind}_{unit.code}",
            "district_staff",
            district=unit if kind == "district" else None,
            commune=unit if kind == "commune" else None,
        )
        hamlets = list(Hamlet.objects.filter(commune__in=communes).values_list("code", flat=True))
        members = list(
            Member.objects.filter(residence_hamlet__commune__in=communes).values_list("code", flat=True)[:2000]
        )
        if not (hamlets and members):
            continue  # a commune merged away: nothing left to open
        targets["units"][f"{kind}/{unit.code}"] = {
            "kind": kind,
            "code": unit.code,
            "clerk": clerk,
            "communes": list(communes.values_list("code", flat=True)),
            "hamlets": rng.sample(hamlets, min(50, len(hamlets))),
            "members": rng.sample(members, min(200, len(members))),
        }
    out = ROOT / "var" / "loadtest"
    out.mkdir(parents=True, exist_ok=True)
    (out / "targets.json").write_text(json.dumps(targets, ensure_ascii=False, indent=1))
    print(f"{len(viewers)} viewers, {len(targets['units'])} clerks; targets in {out}")


if __name__ == "__main__":
    main()
