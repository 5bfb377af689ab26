"""The import engine (exchange-format.md, "Import semantics").

One engine for the `import_data` command and the browser upload:

1. read the container into raw sheets (files.py);
2. check sheet and column names, parse every cell (values.py);
3. load the stored records in bulk (one query per table, no query per row)
   and merge the rows into them by key, in memory;
4. run every rule of hamlets/rules.py on the merged records, so the rules
   apply "to the data as it will be after the import";
5. if nothing is wrong and this is not a dry run, write everything with bulk
   statements inside one transaction.

Every problem is reported with sheet, row (the header is row 1) and column.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from coverage_site.lib import dates

from .. import models, rules
from ..models import FoldedField
from . import bulk, values
from .files import StreamedRows, UnreadableFile, read_path
from .neighbours import neighbourhood
from .rows import MergePlan, ParsedRow, ReadPlan, new_instance
from .schema import SHEET_BY_NAME, SHEETS, choice_labels, is_description_row, is_helper_sheet, sheet_named
from .state import BATCH_SIZE, State, key_of

# Sheets only an administrator may import: they define the units themselves.
LINK_LEVELS = ("hamlet", "commune", "district", "branch")
ADMIN_ONLY_SHEETS = {
    "area_types",
    "provinces",
    "districts",
    "communes",
    "reorganisations",
    "lineage_links",
    "parent_changes",
}
# Parents whose rows a rule reads across (terms of a hamlet, of a branch,
# memberships of a member), in the order every writer locks them.
LOCKED_PARENTS = ("hamlets", "branches", "members")


@dataclass(frozen=True)
class Problem:
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self):
        where = []
        if self.sheet:
            where.append(_("trang %(sheet)s") % {"sheet": self.sheet})
        if self.row:
            where.append(_("dòng %(row)d") % {"row": self.row})
        if self.column:
            where.append(_("cột %(column)s") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else str(self.message)


@dataclass
class ImportResult:
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    applied: bool = False
    # sheet -> list of (row number, "created"|"updated"|"unchanged", key) for the preview
    row_actions: dict = field(default_factory=dict)
    # How many stored records were read to check the file (its neighbourhood, or everything).
    rows_read: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def total_created(self):
        return sum(self.created.values())

    @property
    def total_updated(self):
        return sum(self.updated.values())


def import_path(path, limits=None, **kwargs):
    """Import a folder of CSV files or an .xlsx workbook; see import_sheets()."""
    from .files import IMPORT_LIMITS

    try:
        raw_sheets = read_path(path, limits or IMPORT_LIMITS, stream=True)
    except (UnreadableFile, OSError) as exc:
        return ImportResult(errors=[Problem(None, None, None, str(exc))])
    return import_sheets(raw_sheets, release=True, **kwargs)


def import_sheets(raw_sheets, *, dry_run=False, commune_scope=None, progress=None, user=None, reason="", release=False):
    """Check and (unless dry_run, or anything is wrong) apply raw sheets.

    commune_scope: None for an administrator, else the set of commune codes
    whose rows the user may import. user and reason go into the history of
    every record written. release: empty each raw sheet once it is parsed
    (for callers that do not read it again: a whole province's cells are
    then not held beside its records).
    """
    with dates.one_day():
        return _Import(
            raw_sheets,
            dry_run=dry_run,
            commune_scope=commune_scope,
            progress=progress,
            user=user,
            reason=reason,
            release=release,
        ).run()


class _Import:
    def __init__(self, raw_sheets, *, dry_run, commune_scope, progress, user, reason, release):
        self.raw_sheets = raw_sheets
        self.release = release
        self.user = user
        self.reason = reason or _("Nhập dữ liệu từ bảng tính")
        self.dry_run = dry_run
        self.commune_scope = set(commune_scope) if commune_scope is not None else None
        self.progress = progress or (lambda stage, done, total: None)
        self.result = ImportResult()
        # sheet name -> {key: row number} of the rows of this import
        self.touched = {sheet.name: {} for sheet in SHEETS}
        self.new = {sheet.name: [] for sheet in SHEETS}
        self.changed = {sheet.name: [] for sheet in SHEETS}
        self.changed_lists = []  # (sheet, column, instance, key)
        self.before = {}  # (sheet, key) -> snapshot before the import
        # (sheet, key) -> communes of a stored record before the import (scoped imports only)
        self.communes_before = {}
        self.merge_plans = {}  # sheet name -> MergePlan
        # sheet name -> (codes asked, codes stored), found while locking (PostgreSQL)
        self.stored_codes = {}

    # --- problems ------------------------------------------------------------

    def error(self, sheet, row, column, message):
        self.result.errors.append(Problem(sheet, row, column, str(message)))

    # --- steps -----------------------------------------------------------------

    def run(self):
        parsed = self.parse_sheets()
        if self.dry_run or self.result.errors:
            return self.merge_and_check(parsed)
        # A real import reads, checks and writes in one transaction, after
        # locking the parents whose rows the rules read, as the actions do
        # (hamlets/actions.py): an appointment made while the file is being
        # checked waits, and the check sees it.
        try:
            with transaction.atomic():
                self.lock_parents(parsed)
                return self.merge_and_check(parsed)
        except IntegrityError:
            # A database constraint, the last guard, refused at commit: nothing is written.
            self.result.applied = False
            self.error(
                None,
                None,
                None,
                _("Dữ liệu vừa được người khác thay đổi cùng lúc: không có gì được ghi. Hãy xem trước và nhập lại."),
            )
            return self.result

    def lock_parents(self, parsed):
        """Lock the hamlets, branches and members the file names (as records
        or as references), in that order and by code, as every writer does."""
        codes = defaultdict(set)
        for sheet in SHEETS:
            for _row_number, row in parsed.get(sheet.name, []):
                if sheet.name in LOCKED_PARENTS and len(sheet.key) == 1:
                    codes[sheet.name].add(row[sheet.key[0]])
                for column in sheet.columns:
                    if column.ref in LOCKED_PARENTS and row.get(column.key):
                        value = row[column.key]
                        codes[column.ref].update(value if isinstance(value, list) else [value])
        if not connection.features.has_select_for_update:
            return  # SQLite: every transaction takes the write lock when it begins (settings.py)
        for name in LOCKED_PARENTS:
            wanted = sorted(codes[name])
            if not wanted:
                continue
            table = connection.ops.quote_name(SHEET_BY_NAME[name].model._meta.db_table)
            with connection.cursor() as cursor:
                # One statement with an array, however many codes (a whole province names 200,000 members).
                cursor.execute(f"SELECT code FROM {table} WHERE code = ANY(%s) ORDER BY code FOR UPDATE", [wanted])
                # Which of them are stored, for the neighbourhood (it looks up stored codes only).
                self.stored_codes[name] = (set(wanted), {code for (code,) in cursor.fetchall()})

    def merge_and_check(self, parsed):
        self.progress(_("Đọc dữ liệu đã lưu"), 0, 1)
        # Only the records the file touches and their rules' neighbours (neighbours.py).
        self.state = State().load(neighbourhood(parsed, known=self.stored_codes))
        self.result.rows_read = self.state.rows_read
        total = sum(len(rows) for rows in parsed.values())
        done = 0
        for sheet in SHEETS:
            # Popped: a sheet's parsed rows are not needed once merged.
            for row_number, row in parsed.pop(sheet.name, []):
                self.apply_row(sheet, row_number, row)
                done += 1
                if done % 1000 == 0:
                    self.progress(_("Đối chiếu"), done, total)
        self.progress(_("Đối chiếu"), total, total)
        if not self.result.errors:
            self.validate()
        if self.commune_scope is not None and not self.result.errors:
            self.check_scope()
        self.result.errors.sort(key=_problem_order)
        if self.result.errors or self.dry_run:
            return self.result
        self.write()
        self.result.applied = True
        return self.result

    def parse_sheets(self):
        try:
            return self._parse_sheets()
        except UnreadableFile as exc:  # a streamed file broken further down (files.StreamedRows)
            self.error(None, None, None, str(exc))
            return {}

    def _parse_sheets(self):
        parsed = {}
        seen = set()
        for raw in self.raw_sheets:
            if is_helper_sheet(raw.name):
                continue  # the template's instructions and drop-down lists
            sheet = sheet_named(raw.name)
            if sheet is None:
                self.error(
                    raw.name,
                    None,
                    None,
                    _("trang “%(name)s” không có trong mẫu (các trang hợp lệ: %(names)s).")
                    % {"name": raw.name, "names": ", ".join(s.name for s in SHEETS)},
                )
                continue
            if sheet.name in seen:
                self.error(sheet.name, None, None, _("trang này xuất hiện hai lần."))
                continue
            seen.add(sheet.name)
            if not raw.header and not raw.rows:
                continue
            header = [sheet.column_key(cell) for cell in raw.header]
            if not self.check_header(sheet, header):
                continue
            rows = []
            expected = raw.rows.expected if isinstance(raw.rows, StreamedRows) else len(raw.rows)
            self.progress(_("Đọc trang %(sheet)s") % {"sheet": sheet.name}, 0, expected)
            plan = self.plan(sheet, header)
            for row_number, cells in raw.rows:
                if row_number == 2 and is_description_row(cells):
                    continue  # the explanations row of the browser template
                row = self.parse_row(sheet, plan, row_number, cells)
                if row is not None:
                    rows.append((row_number, row))
            parsed[sheet.name] = rows
            if self.release:
                raw.rows = []
        return parsed

    def check_header(self, sheet, header):
        ok = True
        for key in header:
            if key not in sheet.column_by_key:
                self.error(
                    sheet.name, 1, key or "?", _("cột “%(key)s” không có trong mẫu của trang này.") % {"key": key}
                )
                ok = False
        for key in set(header):
            if key and header.count(key) > 1:
                self.error(sheet.name, 1, key, _("cột này xuất hiện hai lần."))
                ok = False
        for key in sheet.required_columns:
            if key not in header:
                self.error(sheet.name, 1, key, _("thiếu cột bắt buộc “%(key)s”.") % {"key": key})
                ok = False
        return ok

    def labels(self, sheet, column):
        """choice_labels(), once per column of an import (it was a third of a 10,000-row file's time)."""
        cached = self.__dict__.setdefault("_labels", {})
        key = (sheet.name, column.key)
        if key not in cached:
            cached[key] = choice_labels(sheet, column)
        return cached[key]

    def plan(self, sheet, header):
        """For each column of the file, in order: its key, whether it is
        required, its blank value and the function reading a cell."""
        plan = ReadPlan()
        for key in header:
            column = sheet.column_by_key[key]
            labels = self.labels(sheet, column) if column.type == "choice" else None
            plan.append((key, column.required, values.blank_value(column), values.parser_for(column, labels)))
        plan.positions = {key: index for index, (key, *_rest) in enumerate(plan)}
        return plan

    def parse_row(self, sheet, plan, row_number, cells):
        cells = list(cells) + [None] * (len(plan) - len(cells))
        if all(values.is_blank(cell) for cell in cells):
            return None
        row = []
        ok = True
        for (key, required, blank, parse), raw in zip(plan, cells, strict=False):
            if values.is_blank(raw):
                if required:
                    self.error(sheet.name, row_number, key, _("thiếu giá trị bắt buộc."))
                    ok = False
                # A fresh copy of a mutable blank ([] or {}): rows must not share one.
                row.append(blank.copy() if isinstance(blank, list | dict) else blank)
                continue
            try:
                row.append(parse(raw))
            except values.BadValue as exc:
                self.error(sheet.name, row_number, key, str(exc))
                ok = False
        return ParsedRow(plan.positions, row) if ok else None

    # --- merging ---------------------------------------------------------------

    def snapshot(self, sheet, instance, key):
        snap = []
        for column in sheet.columns:
            if column.type == "list":
                snap.append(tuple(sorted(self.state.lists.get((sheet.name, column.key, key), set()))))
            elif column.ref:
                target = getattr(instance, column.attr)
                snap.append(target.code if target is not None else None)
            else:
                snap.append(getattr(instance, column.attr or column.key))
        return tuple(snap)

    def resolve(self, sheet, row_number, column, code):
        target = self.state.records[column.ref].get((code,))
        if target is None:
            self.error(
                sheet.name,
                row_number,
                column.key,
                _("không tìm thấy %(kind)s có mã “%(code)s”.")
                % {"kind": SHEET_BY_NAME[column.ref].model._meta.verbose_name, "code": code},
            )
        return target

    def apply_row(self, sheet, row_number, row):
        # The key may name references (memberships: member_code + branch_code + joined_on).
        key = tuple(row[k] for k in sheet.key)
        if key in self.touched[sheet.name]:
            self.error(
                sheet.name,
                row_number,
                sheet.key[0],
                _("trùng khóa %(key)s với dòng %(other)d.")
                % {"key": " + ".join(str(k) for k in key), "other": self.touched[sheet.name][key]},
            )
            return
        # Resolve references first, so that a bad one leaves the record alone.
        plan = self.merge_plan(sheet, row)
        resolved = []
        for column, fk in plan.refs:
            value = row[column.key]
            if fk is None:  # a list of codes
                missing = [code for code in value if (code,) not in self.state.records[column.ref]]
                for code in missing:
                    self.resolve(sheet, row_number, column, code)
                if missing:
                    return
                if column.required and not value:
                    self.error(sheet.name, row_number, column.key, _("cần ít nhất một mã."))
                    return
                resolved.append((column, fk, set(value)))
            elif value is None:
                resolved.append((column, fk, None))
            else:
                target = self.resolve(sheet, row_number, column, value)
                if target is None:
                    return
                resolved.append((column, fk, target))

        records = self.state.records[sheet.name]
        instance = records.get(key)
        is_new = instance is None
        if is_new:
            instance = new_instance(sheet.model)
            before = None
            for attr, blank in plan.absent:
                setattr(instance, attr, blank.copy() if isinstance(blank, list | dict) else blank)
        else:
            before = self.snapshot(sheet, instance, key)
            self.before[(sheet.name, key)] = before
            if self.commune_scope is not None and sheet.name not in ADMIN_ONLY_SHEETS:
                # A stored record must be inside the scope before the import as well as after.
                self.communes_before[(sheet.name, key)] = self.communes_of(sheet, instance)
        for column, fk, value in resolved:
            if fk is None:
                self.state.lists[(sheet.name, column.key, key)] = value
            elif fk.remote_field.multiple:
                # What the descriptor does for a foreign key, without its checks for
                # other databases (one database here): 660,000 times for a province.
                fk.set_cached_value(instance, value)
                instance.__dict__[fk.attname] = value.pk if value is not None else None
            else:
                setattr(instance, column.attr, value)
        for attr, column_key in plan.plain:
            setattr(instance, attr, row[column_key])
        records[key] = instance
        self.touched[sheet.name][key] = row_number

        if is_new:
            action = "created"
            self.new[sheet.name].append(instance)
        elif self.snapshot(sheet, instance, key) != before:
            action = "updated"
            self.changed[sheet.name].append(instance)
        else:
            action = "unchanged"
        if action != "unchanged":
            for column, fk, _value in resolved:
                if fk is None:
                    self.changed_lists.append((sheet, column, instance, key))
        counter = getattr(self.result, action)
        counter[sheet.name] = counter.get(sheet.name, 0) + 1
        self.result.row_actions.setdefault(sheet.name, []).append((row_number, action, key))

    def merge_plan(self, sheet, row):
        """Which of a sheet's columns a row sets, and how (worked out once per sheet)."""
        plan = self.merge_plans.get(sheet.name)
        if plan is not None and plan.positions is row.positions:
            return plan  # the rows of one sheet share their positions
        present = set(row.keys())
        plan = MergePlan(
            positions=row.positions,
            refs=[
                (column, None if column.type == "list" else sheet.model._meta.get_field(column.attr))
                for column in sheet.columns
                if column.key in present and column.ref
            ],
            plain=[
                (column.attr or column.key, column.key)
                for column in sheet.columns
                if column.key in present and not column.ref and column.type != "list"
            ],
            absent=[
                (column.attr or column.key, values.blank_value(column))
                for column in sheet.columns
                if column.key not in present and column.type != "list" and not column.ref
            ],
        )
        self.merge_plans[sheet.name] = plan
        return plan

    # --- rules -----------------------------------------------------------------

    def report(self, sheet, instance, problems, *, warning=False):
        if not problems:
            return
        key = key_of(sheet, instance)
        row_number = self.touched[sheet.name].get(key)
        for attr, message in problems:
            problem = Problem(sheet.name, row_number, sheet.column_for_attr(attr), str(message))
            (self.result.warnings if warning else self.result.errors).append(problem)

    def validate(self):
        records = self.state.records
        self.progress(_("Kiểm tra quy định"), 0, 1)
        for name in ("provinces", "districts", "communes", "hamlets"):
            for unit in records[name].values():
                self.report(SHEET_BY_NAME[name], unit, rules.unit_errors(unit))

        branches = SHEET_BY_NAME["branches"]
        hamlets = records["hamlets"]
        for key, branch in records["branches"].items():
            served = [hamlets[(code,)] for code in sorted(self.state.lists.get(("branches", "hamlet_codes", key), ()))]
            self.report(branches, branch, rules.branch_errors(branch) + rules.branch_hamlet_errors(branch, served))

        members = SHEET_BY_NAME["members"]
        for member in records["members"].values():
            self.report(members, member, rules.member_errors(member))
            if self.touched["members"].get(key_of(members, member)):
                self.report(members, member, rules.member_warnings(member), warning=True)

        memberships_by_member = defaultdict(list)
        for membership in records["memberships"].values():
            memberships_by_member[membership.member.code].append(membership)
        sheet = SHEET_BY_NAME["memberships"]
        for siblings in memberships_by_member.values():
            for membership in siblings:
                self.report(
                    sheet,
                    membership,
                    rules.membership_errors(
                        membership, member=membership.member, branch=membership.branch, siblings=siblings
                    ),
                )

        terms_by_branch = defaultdict(list)
        for term in records["branch_secretaries"].values():
            terms_by_branch[term.branch.code].append(term)
        sheet = SHEET_BY_NAME["branch_secretaries"]
        for terms in terms_by_branch.values():
            for term in terms:
                self.report(
                    sheet,
                    term,
                    rules.secretary_errors(
                        term, branch_terms=terms, member_memberships=memberships_by_member.get(term.member.code, [])
                    ),
                )

        heads_by_hamlet = defaultdict(list)
        for head in records["village_heads"].values():
            heads_by_hamlet[head.hamlet.code].append(head)
        sheet = SHEET_BY_NAME["village_heads"]
        for heads in heads_by_hamlet.values():
            for head in heads:
                self.report(sheet, head, rules.village_head_errors(head, hamlet_terms=heads))

        sheet = SHEET_BY_NAME["candidates"]
        for candidate in records["candidates"].values():
            self.report(sheet, candidate, rules.candidate_errors(candidate))

        # Reorganisations: a parent change has exactly one child; a lineage link at least one end.
        sheet = SHEET_BY_NAME["parent_changes"]
        for change in records["parent_changes"].values():
            children = [c for c in (change.hamlet, change.branch, change.commune, change.member) if c is not None]
            if len(children) != 1:
                self.report(
                    sheet,
                    change,
                    [("hamlet", _("cần đúng một trong hamlet_code, branch_code, commune_code, member_code."))],
                )
        sheet = SHEET_BY_NAME["lineage_links"]
        for link in records["lineage_links"].values():
            ends = [
                getattr(link, f"{side}_{level}_id", None) or getattr(link, f"{side}_{level}")
                for side in ("from", "to")
                for level in ("hamlet", "commune", "district", "province", "branch")
            ]
            if not any(ends):
                self.report(sheet, link, [("event", _("cần ít nhất một đơn vị trước hoặc sau sắp xếp."))])

    # --- scope -----------------------------------------------------------------

    def communes_of(self, sheet, instance):
        """Codes of the communes a record belongs to, following the path its
        QuerySet declares for visible_to() (hamlets.querysets.ScopedQuerySet).
        A member belongs to the commune of residence and of every branch
        attended."""
        if sheet.name == "members":
            if self._member_branches is None:
                self._member_branches = defaultdict(set)
                for membership in self.state.records["memberships"].values():
                    self._member_branches[membership.member.code].add(membership.branch.commune.code)
            found = set(self._member_branches.get(instance.code, ()))
            if instance.residence_hamlet is not None:
                found.add(instance.residence_hamlet.commune.code)
            return found
        target = instance
        for part in sheet.model.objects.get_queryset().commune_path.split("__"):
            target = getattr(target, part)
        return {target.code}

    _member_branches = None

    def check_scope(self):
        """Data-entry accounts may only import rows inside their own communes."""
        self._member_branches = None  # memberships may have changed since members were read
        for sheet in SHEETS:
            for key, row_number in self.touched[sheet.name].items():
                instance = self.state.records[sheet.name][key]
                if sheet.name in ADMIN_ONLY_SHEETS:
                    # Unchanged rows (e.g. the communes pre-filled in the template) change nothing.
                    if instance not in self.new[sheet.name] and instance not in self.changed[sheet.name]:
                        continue
                    self.error(sheet.name, row_number, None, _("chỉ quản trị viên được nhập trang này."))
                    continue
                communes = self.communes_of(sheet, instance) | self.communes_before.get((sheet.name, key), set())
                if not communes or not communes <= self.commune_scope:
                    self.error(
                        sheet.name,
                        row_number,
                        None,
                        _("dòng này thuộc xã ngoài phạm vi tài khoản của bạn (%(communes)s).")
                        % {"communes": ", ".join(sorted(communes)) or "?"},
                    )

    # --- writing ---------------------------------------------------------------

    def write(self):
        """Write everything; always inside run()'s transaction (a failure on a
        later sheet undoes the earlier ones)."""
        for sheet in SHEETS:
            model = sheet.model
            new, changed = self.new[sheet.name], self.changed[sheet.name]
            if not (new or changed):
                continue
            self.progress(_("Ghi %(sheet)s") % {"sheet": sheet.name}, 0, len(new) + len(changed))
            for obj in new:
                _sync_relations(obj)
            for obj in changed:
                _sync_relations(obj, refold=True)
            if new:
                bulk.create(model, new, user=self.user, reason=self.reason)
            if changed:
                fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
                history = {"default_user": self.user, "default_change_reason": self.reason}
                bulk_update_with_history(changed, model, fields, batch_size=BATCH_SIZE, **history)
            self.progress(_("Ghi %(sheet)s") % {"sheet": sheet.name}, len(new) + len(changed), len(new) + len(changed))
        self.write_lists()
        # Bulk writes send no post_save: say which records changed (per-commune figures, reports/versions.py).
        from ..signals import records_written

        written = [obj for sheet in SHEETS for obj in self.new[sheet.name] + self.changed[sheet.name]]
        records_written.send(sender=type(self), records=written)
        if sum(len(rows) for rows in self.new.values()) + sum(len(rows) for rows in self.changed.values()) > 1000:
            # Fresh statistics, so the query planner does not treat a table that
            # just grew by thousands of rows as empty (ANALYZE exists on both databases).
            with connection.cursor() as cursor:
                for sheet in SHEETS:
                    if self.new[sheet.name] or self.changed[sheet.name]:
                        cursor.execute(f"ANALYZE {connection.ops.quote_name(sheet.model._meta.db_table)}")

    def write_lists(self):
        by_field = defaultdict(list)
        for sheet, column, instance, key in self.changed_lists:
            by_field[(sheet.name, column.key)].append((sheet, column, instance, key))
        for entries in by_field.values():
            sheet, column = entries[0][0], entries[0][1]
            m2m = sheet.model._meta.get_field(column.attr)
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            targets = self.state.records[column.ref]
            ids = [instance.pk for _s, _c, instance, _k in entries]
            for start in range(0, len(ids), BATCH_SIZE):
                through.objects.filter(**{f"{source}_id__in": ids[start : start + BATCH_SIZE]}).delete()
            rows = [
                through(**{f"{source}_id": instance.pk, f"{target}_id": targets[(code,)].pk})
                for _s, _c, instance, key in entries
                for code in sorted(self.state.lists[(sheet.name, column.key, key)])
            ]
            through.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _sync_relations(obj, refold=False):
    """Copy the primary keys of related records (created earlier in this
    import) into the foreign-key columns, and (refold) refresh folded names,
    which bulk_update would otherwise leave stale (an insert computes them)."""
    for fk in obj._meta.concrete_fields:
        if fk.is_relation and fk.is_cached(obj):
            related = fk.get_cached_value(obj)
            setattr(obj, fk.attname, related.pk if related is not None else None)
        elif refold and isinstance(fk, FoldedField):
            fk.pre_save(obj, False)


def _problem_order(problem):
    sheet_index = [s.name for s in SHEETS].index(problem.sheet) if problem.sheet in SHEET_BY_NAME else -1
    return (sheet_index, problem.row or 0, problem.column or "")


__all__ = ["ImportResult", "Problem", "import_path", "import_sheets", "models"]
