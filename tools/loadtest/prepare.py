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

from django.contrib.auth.models import User  # noqa: E402

from hamlets.models import Commune, District, Hamlet, Member, Profile  # noqa: E402

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "load-test-only")
VIEWERS = 10


def account(username, role, district=None):
    user, _created = User.objects.get_or_create(username=username)
    user.set_password(PASSWORD)
    user.save()
    Profile.objects.update_or_create(user=user, defaults={"role": role, "district": district, "commune": None})
    return username


def main():
    rng = random.Random(2026)
    viewers = [account(f"load_tinh_{n}", "provincial_viewer") for n in range(VIEWERS)]
    clerks = {}
    districts = list(District.objects.order_by("code"))
    for district in districts:
        clerks[district.code] = account(f"load_huyen_{district.code}", "district_staff", district)
    targets = {"password": PASSWORD, "viewers": viewers, "districts": {}}
    for district in districts:
        communes = list(Commune.objects.filter(district=district).values_list("code", flat=True))
        hamlets = list(Hamlet.objects.filter(commune__district=district).values_list("code", flat=True))
        members = list(
            Member.objects.filter(residence_hamlet__commune__district=district).values_list("code", flat=True)[:2000]
        )
        targets["districts"][district.code] = {
            "clerk": clerks[district.code],
            "communes": communes,
            "hamlets": rng.sample(hamlets, min(50, len(hamlets))),
            "members": rng.sample(members, min(200, len(members))),
        }
    out = ROOT / "var" / "loadtest"
    out.mkdir(parents=True, exist_ok=True)
    (out / "targets.json").write_text(json.dumps(targets, ensure_ascii=False, indent=1))
    print(f"{len(viewers)} viewers, {len(clerks)} district clerks; targets in {out / 'targets.json'}")


if __name__ == "__main__":
    main()
