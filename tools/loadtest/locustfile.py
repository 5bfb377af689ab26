"""The load test of `make loadtest`: provincial viewers and district clerks
at work on a generated province (tools/loadtest/prepare.py makes their
accounts and var/loadtest/targets.json).

- A provincial viewer opens the province dashboard, district and commune
  dashboards, drill-downs to the named hamlets, the member list with a search
  and record pages.
- A district clerk opens the own district's or commune's dashboard and lists, a hamlet's and a
  member's page, and saves a member's details through the edit form (which
  changes that commune's data version, so the next dashboard view recomputes
  one commune).

Only ever aimed at 127.0.0.1.
"""

import json
import os
import random
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, events, task

TARGETS = json.loads((Path(__file__).resolve().parents[2] / "var" / "loadtest" / "targets.json").read_text())
DRILL_KEYS = ("hamlets_without_branch", "hamlets_without_resident_members", "branches_at_risk", "secretaries_trained")
SEARCHES = ("nguyen van", "tran thi", "le", "ho", "pham")


# The figures count from the moment every simulated person has logged in: a
# person logs in once a day, and 50 logins at once (about 0.5 s of password
# hashing each, by design) would otherwise fill the first half minute. The
# logins are counted apart. Every page's response time is kept for exact
# percentiles (locust's CSV gives them per page only).
OUTPUT = Path(__file__).resolve().parents[2] / "var" / "loadtest"
_timings, _errors, _started, _logins = [], [0], [None], []


@events.request.add_listener
def _record(name, response_time, exception, **kwargs):
    if name in ("login", "login page"):
        if name == "login":
            _logins.append(response_time)
        return
    if _started[0] is None:
        return  # not everybody is in yet
    _timings.append(response_time)
    _errors[0] += exception is not None


MEASURE_SECONDS = int(os.environ.get("LOAD_MEASURE_SECONDS", "60"))


def _logged_in(environment):
    """Called by each person after logging in; the last one starts the
    measured window, which lasts MEASURE_SECONDS however long the logins took."""
    import time

    import gevent

    _logged_in.count = getattr(_logged_in, "count", 0) + 1
    if _started[0] is None and _logged_in.count >= environment.runner.target_user_count:
        environment.stats.reset_all()
        _started[0] = time.monotonic()
        print(f"all {_logged_in.count} people logged in; measuring for {MEASURE_SECONDS} s from now", flush=True)
        gevent.spawn_later(MEASURE_SECONDS, environment.runner.quit)


@events.quitting.add_listener
def _write(**kwargs):
    import time

    if not _timings:
        return
    ordered = sorted(_timings)

    def at(share):
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))])

    elapsed = max(1e-9, time.monotonic() - _started[0])
    summary = {"requests": len(ordered), "errors": _errors[0], "per_second": len(ordered) / elapsed}
    summary.update(p50=at(0.50), p95=at(0.95), p99=at(0.99), seconds=round(elapsed), pauses=WAIT)
    logins = sorted(_logins)
    summary["logins"] = (
        {"count": len(logins), "p50": round(logins[len(logins) // 2]), "max": round(logins[-1])} if logins else {}
    )
    (OUTPUT / "pages.json").write_text(json.dumps(summary))


class FormReader(HTMLParser):
    """The fields of a page's main form, as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.fields, self.select, self.in_form = {}, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post" and "logout" not in attrs.get("action", ""):
            self.in_form = True
        if not self.in_form or "name" not in attrs and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "checkbox"):
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select = attrs["name"]
            self.fields.setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.in_form = False


def form_fields(html):
    reader = FormReader()
    reader.feed(html)
    return reader.fields


# Seconds each person pauses between two actions (LOAD_WAIT="MIN MAX"): 1-3 s
# by default, a person clicking on without reading; "5 15" is closer to
# someone reading a dashboard or typing a correction.
WAIT = [float(part) for part in os.environ.get("LOAD_WAIT", "1 3").split()]


class Person(HttpUser):
    abstract = True
    wait_time = between(*WAIT)

    def log_in(self, username):
        page = self.client.get("/accounts/login/", name="login page")
        fields = form_fields(page.text)
        fields.update(username=username, password=TARGETS["password"])
        self.client.post("/accounts/login/", data=fields, name="login", headers={"Referer": page.url})
        _logged_in(self.environment)

    def unit(self):
        """A district, or a commune where districts no longer exist (the clerks' units)."""
        return random.choice(list(TARGETS["units"].values()))


class ProvincialViewer(Person):
    weight = 3

    def on_start(self):
        self.log_in(random.choice(TARGETS["viewers"]))

    @task(4)
    def province_dashboard(self):
        self.client.get("/dashboard/province/all/", name="dashboard: province")
        if TARGETS.get("provinces"):  # a national installation: one province's too
            code = random.choice(TARGETS["provinces"])
            self.client.get(f"/dashboard/province/{code}/", name="dashboard: one province")

    @task(3)
    def unit_dashboard(self):
        unit = self.unit()
        self.client.get(f"/dashboard/{unit['kind']}/{unit['code']}/", name=f"dashboard: {unit['kind']}")

    @task(2)
    def commune_dashboard(self):
        commune = random.choice(self.unit()["communes"])
        self.client.get(f"/dashboard/commune/{commune}/", name="dashboard: commune")

    @task(2)
    def drill_down(self):
        unit = self.unit()
        key = random.choice(DRILL_KEYS)
        self.client.get(f"/dashboard/{unit['kind']}/{unit['code']}/{key}/", name=f"drill-down: {unit['kind']}")

    @task(2)
    def member_search(self):
        self.client.get("/members/", params={"q": random.choice(SEARCHES)}, name="list: members, search")

    @task(1)
    def hamlet_page(self):
        self.client.get(f"/hamlets/{random.choice(self.unit()['hamlets'])}/", name="record: hamlet")


class DistrictClerk(Person):
    weight = 1

    def on_start(self):
        self.mine = self.unit()
        self.log_in(self.mine["clerk"])

    @task(2)
    def own_dashboard(self):
        self.client.get(f"/dashboard/{self.mine['kind']}/{self.mine['code']}/", name=f"dashboard: {self.mine['kind']}")

    @task(2)
    def lists(self):
        self.client.get("/hamlets/", name="list: hamlets")
        self.client.get("/members/", params={"page": random.randint(1, 20)}, name="list: members, page")

    @task(2)
    def member_page(self):
        self.client.get(f"/members/{random.choice(self.mine['members'])}/", name="record: member")

    @task(1)
    def edit_member(self):
        code = random.choice(self.mine["members"])
        page = self.client.get(f"/members/{code}/edit/", name="edit: member form")
        fields = form_fields(page.text)
        if "religion" not in fields:
            return
        # A real correction a clerk makes: the religion written, or cleared.
        fields["religion"] = "" if fields["religion"] else "Không"
        with self.client.post(
            f"/members/{code}/edit/",
            data=fields,
            name="edit: member save",
            headers={"Referer": page.url},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Saved (a redirect to the record), or refused because another
            # clerk saved the same member first (the page says so): both are right.
            conflict = response.status_code == 200 and "vừa được người khác sửa" in response.text
            if response.status_code == 302 or conflict:
                response.success()
            else:
                response.failure(f"edit answered {response.status_code}")
