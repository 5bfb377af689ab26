"""Which stored records an import must read: those a file creates or changes,
and the neighbours each rule of hamlets/rules.py reads for them.

A clerk's upload of ten rows used to load every stored record of the
province (and check them all). This reads the records the file names (as
rows or as references) and, per rule:

* a member's memberships (rule 5: no overlap, after admission), so also a
  membership row's member;
* a secretary term's branch's terms (rule 6: no overlap) and the term's
  member's memberships (a member of the branch throughout);
* a hamlet's village-head terms (rule 7: no overlap);
* a branch's served hamlets and their communes (rule 3), and, when the file
  changes a hamlet, the branches serving it; when it changes a branch, the
  branch's memberships and secretary terms (rules 5 and 6: inside its
  lifetime), with their members' memberships;
* every referenced record's own references (a hamlet's commune, a commune's
  district), so codes compare as in a full load.

The database constraints stay the last guard. Files with the
province-level sheets load everything, and so do large files naming at least
as many members as are stored (a province's export, a first import), for
which reading everything is cheaper than looking up each code; a province's
part of a national data set (imported after others) reads its neighbourhood,
so memory stays that of one province however many are stored.
"""

from collections import defaultdict

from .. import models
from .schema import SHEETS

# Above this many rows, or with these sheets, an import loads every stored record.
PARTIAL_LIMIT = 20_000
FULL_LOAD_SHEETS = {"area_types", "provinces", "districts", "reorganisations", "lineage_links", "parent_changes"}
BATCH = 500


def _batches(values):
    values = sorted(values)
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


class _Stored:
    """Which of some codes exist in the database, asked once per code. A new
    record has no stored neighbours, so only stored codes are looked up: a
    province of a national data set names 200,000 new members, and looking
    each up for memberships and terms took half of its import."""

    MODELS = {
        "members": models.Member,
        "branches": models.Branch,
        "hamlets": models.Hamlet,
        "village_heads": models.VillageHead,
        "candidates": models.Candidate,
        "communes": models.Commune,
    }

    def __init__(self, known=None):
        """known: {sheet name: (codes asked, codes found)}, already read (the import's locks)."""
        self.known = defaultdict(set)
        self.asked = defaultdict(set)
        for name, (asked, found) in (known or {}).items():
            self.asked[name] |= asked
            self.known[name] |= found

    def __call__(self, name, codes):
        from django.db import connection

        new = set(codes) - self.asked[name]
        if new:
            model = self.MODELS[name]
            if connection.vendor == "postgresql":
                # One statement with an array, however many codes.
                table = connection.ops.quote_name(model._meta.db_table)
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT code FROM {table} WHERE code = ANY(%s)", [sorted(new)])
                    self.known[name] |= {code for (code,) in cursor.fetchall()}
            else:
                for batch in _batches(new):
                    self.known[name] |= set(model.objects.filter(code__in=batch).values_list("code", flat=True))
            self.asked[name] |= new
        return set(codes) & self.known[name]


def _codes_of(queryset, *paths):
    found = defaultdict(set)
    for row in queryset.values_list(*paths):
        for path, value in zip(paths, row, strict=True):
            if value:
                found[path].add(value)
    return found


def neighbourhood(parsed, known=None):
    """{sheet name: set of codes or pks to load}, or None for "load everything".

    Code-keyed sheets are given codes; the others (memberships, secretary
    terms, targets, ratings) pks. `known`: which codes of some sheets are
    stored, when the caller has read it already (see _Stored)."""
    total = sum(len(rows) for rows in parsed.values())
    if FULL_LOAD_SHEETS & set(parsed):
        return None
    if total > PARTIAL_LIMIT and len(parsed.get("members", ())) >= models.Member.objects.count():
        return None
    codes = defaultdict(set)
    for sheet in SHEETS:
        for _number, row in parsed.get(sheet.name, []):
            if sheet.key == ("code",):
                codes[sheet.name].add(row["code"])
            for column in sheet.columns:
                value = row.get(column.key)
                if column.ref and value:
                    codes[column.ref].update(value if isinstance(value, list) else [value])
    changed = {name: set(codes[name]) & {row["code"] for _n, row in parsed.get(name, [])} for name in codes}
    secretaries_branches = {row["branch_code"] for _n, row in parsed.get("branch_secretaries", [])}
    # A membership row changes its member's periods: their secretary terms must still fit (rule 6).
    changed["members"] = changed.get("members", set()) | {
        row["member_code"] for _n, row in parsed.get("memberships", [])
    }
    heads_hamlets = {row["hamlet_code"] for _n, row in parsed.get("village_heads", [])}

    pks = defaultdict(set)
    stored = _Stored(known)
    seen = None
    while seen != {name: len(values) for name, values in codes.items()}:
        seen = {name: len(values) for name, values in codes.items()}
        # Rule 5: every membership of a member the file touches.
        for batch in _batches(stored("members", codes["members"])):
            rows = models.Membership.objects.filter(member__code__in=batch)
            pks["memberships"] |= set(rows.values_list("pk", flat=True))
            codes["branches"] |= _codes_of(rows, "branch__code")["branch__code"]
        # Rule 6: the terms of branches whose terms or dates change, and the terms of changed members.
        term_branches = stored("branches", secretaries_branches | changed.get("branches", set()))
        batches = [{"branch__code__in": batch} for batch in _batches(term_branches)]
        batches += [{"member__code__in": batch} for batch in _batches(stored("members", changed.get("members", set())))]
        for lookup in batches:  # one query per batch (an OR of them all is planned badly)
            terms = models.BranchSecretary.objects.filter(**lookup)
            pks["branch_secretaries"] |= set(terms.values_list("pk", flat=True))
            found = _codes_of(terms, "branch__code", "member__code")
            codes["branches"] |= found["branch__code"]
            codes["members"] |= found["member__code"]
        # Rules 5 and 6 again: a branch whose dates change, with its members.
        for batch in _batches(stored("branches", changed.get("branches", set()))):
            rows = models.Membership.objects.filter(branch__code__in=batch)
            codes["members"] |= _codes_of(rows, "member__code")["member__code"]
        # Rule 7: every head term of the hamlets whose heads change.
        for batch in _batches(stored("hamlets", heads_hamlets | changed.get("hamlets", set()))):
            heads = models.VillageHead.objects.filter(hamlet__code__in=batch)
            found = _codes_of(heads, "code", "member__code")
            codes["village_heads"] |= found["code"]
            codes["members"] |= found["member__code"]
        # Rule 3: branches serving a changed hamlet; the served hamlets of every branch.
        for batch in _batches(stored("hamlets", changed.get("hamlets", set()))):
            serving = models.Branch.hamlets.through.objects.filter(hamlet__code__in=batch)
            codes["branches"] |= _codes_of(serving, "branch__code")["branch__code"]
        for batch in _batches(stored("branches", codes["branches"])):
            served = models.Branch.hamlets.through.objects.filter(branch__code__in=batch)
            codes["hamlets"] |= _codes_of(served, "hamlet__code")["hamlet__code"]
            branches = models.Branch.objects.filter(code__in=batch)
            codes["communes"] |= _codes_of(branches, "commune__code")["commune__code"]
        # Every record's own references.
        for name, model, paths in (
            ("village_heads", models.VillageHead, ("hamlet__code", "member__code")),
            ("candidates", models.Candidate, ("hamlet__code", "member__code")),
            ("members", models.Member, ("residence_hamlet__code",)),
            ("hamlets", models.Hamlet, ("commune__code",)),
            ("communes", models.Commune, ("district__code",)),
        ):
            for batch in _batches(stored(name, codes[name])):
                found = _codes_of(model.objects.filter(code__in=batch), *paths)
                codes["hamlets"] |= found.get("hamlet__code", set()) | found.get("residence_hamlet__code", set())
                codes["members"] |= found.get("member__code", set())
                codes["communes"] |= found.get("commune__code", set())
                codes["districts"] |= found.get("district__code", set())
        # Targets and ratings of the communes and branches named (their keys).
        for batch in _batches({row["commune_code"] for _n, row in parsed.get("admission_targets", [])}):
            pks["admission_targets"] |= set(
                models.AdmissionTarget.objects.filter(commune__code__in=batch).values_list("pk", flat=True)
            )
        for batch in _batches(stored("branches", {row["branch_code"] for _n, row in parsed.get("branch_ratings", [])})):
            pks["branch_ratings"] |= set(
                models.BranchRating.objects.filter(branch__code__in=batch).values_list("pk", flat=True)
            )
    return {**codes, **pks}
