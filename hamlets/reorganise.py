"""Applying and undoing reorganisation events (domain.md, "Reorganisations").

The event's content
-------------------
A `Reorganisation` keeps what it does as entered (`content`), so that it can
be recorded before its date, previewed, applied on it, undone and applied
again:

    {"from": ["H6", "H7"],                      # codes of the predecessors
     "to": [{"code": "H3", "name": "Xóm 3",     # successors: new ones are created
             "kind": "xom", "share": 120}],     #   (share: households, optional)
     "into": "QL-QT",                           # the parent: a commune for hamlets,
                                                #   a district (or "") for communes
     "branches": {"H3": {"code": "CB-H3",        # successor branches, optional;
                         "name": "Chi bộ xóm 3", #   by default "CB-<hamlet code>",
                         "secretary": "M12"}},   #   an interim secretary, optional
     "residents": {"M1": "H3b"},                # split: where a member now lives
     "name": "Xóm Mới"}                          # rename

What applying does (one transaction; any broken rule refuses the whole event
with a message naming the record, and nothing is written):

* hamlet merge / split: the predecessors close on the date and the successors
  open (new successors take the predecessors' area types); the branches that
  served the predecessors are dissolved and successor branches founded, every
  active membership transferred on the date (the reinforcing mark kept), open
  secretary terms and village-head terms end on the date, an interim
  secretary is appointed when asked; residents move to the successor (a
  split's residents to `residents[code]`, else to the successor with the
  largest share). A split successor that already exists (part of a hamlet
  joins a neighbour) keeps its branch, which receives the members.
* hamlet move: the hamlets, and every branch that only ever served moving
  hamlets, change commune on the date.
* commune merge: every hamlet and branch of the predecessors (past ones too,
  so a branch and its hamlets never sit in different communes) moves to the
  successor on the date; the predecessors close.
* district dissolve (2025: districts abolished): the district closes and its
  communes leave it on the date.
* province merge (2025: 63 provinces became 34): every commune of the
  predecessors (past ones too) moves to the successor province on the date;
  the predecessors close. A province is dissolved only once it holds no commune.
* establish, dissolve, rename and move of a unit itself.

Everything written is journalled in `applied_changes`; `undo` reverses the
journal exactly, and refuses while a later record depends on what the event
wrote (a changed field no longer holds the event's value, or a created record
is referred to by another).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .lineage import LineageLink, ParentChange, Reorganisation
from .models import Branch, BranchSecretary, Commune, District, Hamlet, Member, Membership, Province, VillageHead
from .placement import CHILDREN

LEVEL_MODELS = {"hamlet": Hamlet, "commune": Commune, "district": District, "province": Province}
JOURNAL_MODELS = {
    model._meta.model_name: model
    for model in (
        Hamlet,
        Commune,
        District,
        Province,
        Branch,
        Member,
        Membership,
        BranchSecretary,
        VillageHead,
        LineageLink,
        ParentChange,
    )
}
SUPPORTED = {
    "hamlet": {"establish", "dissolve", "merge", "split", "move", "rename"},
    "commune": {"establish", "dissolve", "merge", "move", "rename"},
    "district": {"establish", "dissolve", "rename"},
    "province": {"establish", "dissolve", "merge", "rename"},
}


class Refused(ValidationError):
    """The event cannot be applied or undone; the message names the record."""


def _label(obj):
    return f"{obj._meta.verbose_name} {getattr(obj, 'code', '') or obj}".strip()


def _json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _from_json(model, field, value):
    if value is not None and model._meta.get_field(field).get_internal_type() == "DateField":
        return datetime.date.fromisoformat(value)
    return value


class Journal:
    """The writes of one event: checked by the rules, remembered for undo,
    described for the preview."""

    def __init__(self, event):
        self.event = event
        self.created = []  # [model name, pk]
        self.changed = []  # [model name, pk, field, old, new]
        self.lines = []

    def say(self, text):
        self.lines.append(text)

    def _check(self, obj):
        try:
            obj.full_clean()
        except ValidationError as exc:
            messages = "; ".join(exc.messages)
            raise Refused(f"{_label(obj)}: {messages}") from None

    def create(self, obj, check=True):
        if check:
            self._check(obj)
        obj.save()
        self.created.append([obj._meta.model_name, obj.pk])
        return obj

    def change(self, obj, check=True, **fields):
        for field, value in fields.items():
            if obj._meta.get_field(field).is_relation:  # journal the id
                field, value = obj._meta.get_field(field).attname, getattr(value, "pk", None)
            old = getattr(obj, field)
            if old == value:
                continue
            self.changed.append([obj._meta.model_name, obj.pk, field, _json(old), _json(value)])
            setattr(obj, field, value)
        if check:
            self._check(obj)
        obj.save()
        return obj

    def move(self, obj, parent_field, new_parent, on, kind=None):
        """Give `obj` a new parent from `on`, remembering the old one (dated
        parents); `kind` as in placement.CHILDREN, the model's name by default."""
        kind = kind or obj._meta.model_name
        child, old_field = CHILDREN[kind][:2]  # the ParentChange fields of the child and of the parent before
        old = getattr(obj, parent_field)
        if old == new_parent:
            return
        self.create(ParentChange(event=self.event, changed_on=on, **{child: obj, old_field: old}), check=False)
        self.change(obj, check=False, **{parent_field: new_parent})


def _units(level, codes):
    model = LEVEL_MODELS[level]
    found = {unit.code: unit for unit in model.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise Refused(
            _("Không có %(kind)s mã %(codes)s.") % {"kind": model._meta.verbose_name, "codes": ", ".join(missing)}
        )
    return [found[code] for code in codes]


def _parent(level, code):
    """The parent named by `into`: a commune for hamlets, a district or none for communes."""
    if not code:
        if level == "hamlet":
            raise Refused(_("Cần chọn xã của thôn, xóm."))
        return None
    model = Commune if level == "hamlet" else District
    parent = model.objects.filter(code=code).first()
    if parent is None:
        raise Refused(_("Không có %(kind)s mã %(code)s.") % {"kind": model._meta.verbose_name, "code": code})
    return parent


class Applier:
    def __init__(self, event):
        self.event = event
        self.day = event.effective_on
        self.content = event.content or {}
        self.journal = Journal(event)

    # --- successors ------------------------------------------------------------

    def successors(self, predecessors=()):
        """The successors of the content: existing ones, and new ones created
        (a new hamlet takes its predecessors' area types)."""
        level, result = self.event.level, []
        model = LEVEL_MODELS[level]
        for spec in self.content.get("to", []):
            existing = model.objects.filter(code=spec.get("code")).first()
            if existing is not None:
                result.append((existing, spec))
                continue
            unit = model(code=spec.get("code", ""), name=spec.get("name", ""), established_on=self.day)
            if level == "hamlet":
                unit.kind = spec.get("kind") or Hamlet.Kind.XOM
                if self.content.get("into") or not predecessors:
                    unit.commune = _parent(level, self.content.get("into"))
                else:
                    unit.commune = predecessors[0].commune
            elif level == "commune":
                unit.district = _parent(level, self.content.get("into"))
                # A national installation's new commune: its predecessors' province, or the one named.
                if predecessors:
                    unit.province = predecessors[0].province
                elif self.content.get("province"):
                    unit.province = _units("province", [self.content["province"]])[0]
            self.journal.create(unit)
            if level == "hamlet":
                areas = {area for pred in predecessors for area in pred.area_types.all()}
                unit.area_types.set(areas)
            self.journal.say(_("Thành lập %(unit)s (mã %(code)s).") % {"unit": unit.name, "code": unit.code})
            result.append((unit, spec))
        return result

    def link(self, predecessor=None, successor=None, whole=True, share=None, former_name="", level=None):
        level = level or self.event.level
        fields = {}
        if predecessor is not None:
            fields[f"from_{level}"] = predecessor
        if successor is not None:
            fields[f"to_{level}"] = successor
        self.journal.create(
            LineageLink(event=self.event, whole=whole, share=share, former_name=former_name, **fields), check=False
        )

    def close(self, unit):
        if unit.dissolved_on is not None and unit.dissolved_on <= self.day:
            raise Refused(_("%(record)s đã giải thể trước ngày này.") % {"record": _label(unit)})
        if unit.established_on and unit.established_on >= self.day:
            raise Refused(_("%(record)s thành lập sau ngày này.") % {"record": _label(unit)})
        self.journal.change(unit, dissolved_on=self.day)
        self.journal.say(_("Giải thể %(record)s (%(name)s).") % {"record": _label(unit), "name": unit.name})

    # --- branches and people of hamlets -------------------------------------------

    def serving(self, hamlets):
        return list(Branch.objects.active_on(self.day).filter(hamlets__in=hamlets).distinct().order_by("code"))

    def dissolve_branches(self, branches, hamlets):
        """End the secretaries' terms and dissolve the branches; returns the
        memberships active on the date (still open: they are transferred next)."""
        inside = {h.pk for h in hamlets}
        for branch in branches:
            others = branch.hamlets.active_on(self.day).exclude(pk__in=inside)
            if others.exists():
                raise Refused(
                    _(
                        "%(record)s còn phục vụ %(hamlets)s, không thuộc lần sắp xếp này: "
                        "hãy đổi thôn, xóm của chi bộ trước."
                    )
                    % {"record": _label(branch), "hamlets": ", ".join(h.name for h in others)}
                )
            later = Membership.objects.filter(branch=branch, joined_on__gte=self.day).select_related("member").first()
            if later is not None:
                raise Refused(
                    _("%(record)s: %(member)s bắt đầu sinh hoạt từ ngày sắp xếp trở đi.")
                    % {"record": _label(branch), "member": later.member}
                )
        memberships = list(
            Membership.objects.active_on(self.day)
            .filter(branch__in=branches)
            .select_related("member", "branch")
            .order_by("member__code")
        )
        for membership in memberships:
            self.journal.change(membership, left_on=self.day, left_reason=Membership.LeftReason.TRANSFERRED)
        for term in BranchSecretary.objects.filter(branch__in=branches).filter(
            Q(end_on__isnull=True) | Q(end_on__gt=self.day)
        ):
            self.journal.change(term, end_on=self.day)
        for branch in branches:
            self.journal.change(branch, dissolved_on=self.day)
            self.journal.say(_("Giải thể %(record)s (%(name)s).") % {"record": _label(branch), "name": branch.name})
        return memberships

    def found_branch(self, hamlet):
        spec = self.content.get("branches", {}).get(hamlet.code, {})
        code = spec.get("code") or f"CB-{hamlet.code}"
        branch = Branch(
            code=code,
            name=spec.get("name") or f"Chi bộ {hamlet.name}",
            commune=hamlet.commune,
            established_on=self.day,
        )
        self.journal.create(branch)
        branch.hamlets.set([hamlet])
        self.journal.say(_("Thành lập %(record)s (%(name)s).") % {"record": _label(branch), "name": branch.name})
        return branch

    def transfer(self, membership, branch):
        self.journal.create(
            Membership(member=membership.member, branch=branch, joined_on=self.day, reinforcing=membership.reinforcing)
        )

    def appoint_interim(self, hamlet, branch):
        code = self.content.get("branches", {}).get(hamlet.code, {}).get("secretary")
        if not code:
            return
        member = Member.objects.filter(code=code).first()
        if member is None:
            raise Refused(_("Không có đảng viên mã %(code)s.") % {"code": code})
        self.journal.create(BranchSecretary(branch=branch, member=member, start_on=self.day, interim=True))
        self.journal.say(
            _("Chỉ định %(member)s làm bí thư lâm thời %(branch)s.") % {"member": member, "branch": branch.name}
        )

    def end_heads(self, hamlets):
        for head in VillageHead.objects.filter(hamlet__in=hamlets).filter(
            Q(term_end__isnull=True) | Q(term_end__gt=self.day), term_start__lt=self.day
        ):
            self.journal.change(head, term_end=self.day)
            self.journal.say(_("Kết thúc nhiệm kỳ trưởng thôn %(name)s.") % {"name": head.full_name})
        later = VillageHead.objects.filter(hamlet__in=hamlets, term_start__gte=self.day).first()
        if later is not None:
            raise Refused(_("%(record)s bắt đầu nhiệm kỳ sau ngày sắp xếp.") % {"record": _label(later)})

    def move_residents(self, hamlets, destination_of):
        moved = {}
        for member in Member.objects.filter(residence_hamlet__in=hamlets).order_by("code"):
            destination = destination_of(member)
            self.journal.move(member, "residence_hamlet", destination, self.day)
            moved[destination.name] = moved.get(destination.name, 0) + 1
        for name, count in sorted(moved.items()):
            self.journal.say(
                _("%(count)d đảng viên cư trú được ghi nơi ở mới là %(hamlet)s.") % {"count": count, "hamlet": name}
            )

    # --- kinds -----------------------------------------------------------------------

    def hamlet_merge(self):
        predecessors = _units("hamlet", self.content.get("from", []))
        if len(predecessors) < 2:
            raise Refused(_("Sáp nhập cần ít nhất hai thôn, xóm."))
        successors = self.successors(predecessors)
        if len(successors) != 1:
            raise Refused(_("Sáp nhập có đúng một thôn, xóm mới (hoặc một thôn, xóm nhận sáp nhập)."))
        successor, _spec = successors[0]
        closing = [h for h in predecessors if h.pk != successor.pk]
        old_branches = self.serving(predecessors)
        memberships = self.dissolve_branches(old_branches, predecessors)
        for hamlet in closing:
            self.close(hamlet)
        self.end_heads(predecessors)
        branch = self.found_branch(successor)
        for membership in memberships:
            self.transfer(membership, branch)
        self.appoint_interim(successor, branch)
        self.move_residents(closing, lambda member: successor)
        for hamlet in predecessors:
            self.link(hamlet, successor)
        for old in old_branches:
            self.link(old, branch, level="branch")
        self.journal.say(
            _("%(count)d đảng viên chuyển sinh hoạt sang %(branch)s.")
            % {"count": len(memberships), "branch": branch.name}
        )

    def hamlet_split(self):
        predecessors = _units("hamlet", self.content.get("from", []))
        if len(predecessors) != 1:
            raise Refused(_("Chia tách có đúng một thôn, xóm bị chia."))
        old = predecessors[0]
        successors = self.successors(predecessors)
        if len(successors) < 2:
            raise Refused(_("Chia tách cần ít nhất hai thôn, xóm kế thừa."))
        largest = max(successors, key=lambda pair: pair[1].get("share") or 0)[0]
        by_code = {unit.code: unit for unit, _spec in successors}
        residents = self.content.get("residents", {})
        for member_code, code in residents.items():
            if code not in by_code:
                raise Refused(
                    _("Đảng viên %(member)s: %(code)s không phải thôn, xóm kế thừa.")
                    % {"member": member_code, "code": code}
                )

        def destination(member):
            return by_code.get(residents.get(member.code)) or largest

        old_branches = self.serving([old])
        memberships = self.dissolve_branches(old_branches, [old])
        self.close(old)
        self.end_heads([old])
        branches = {}
        for unit, _spec in successors:
            existing = self.serving([unit]) if unit.established_on != self.day else []
            branches[unit.pk] = existing[0] if existing else self.found_branch(unit)
            if not existing:
                self.appoint_interim(unit, branches[unit.pk])
        for membership in memberships:
            self.transfer(membership, branches[destination(membership.member).pk])
        self.move_residents([old], destination)
        for unit, spec in successors:
            self.link(old, unit, whole=False, share=spec.get("share"))
        for old_branch in old_branches:
            for unit, spec in successors:
                self.link(old_branch, branches[unit.pk], whole=False, share=spec.get("share"), level="branch")
        if any(not spec.get("share") for _unit, spec in successors):
            self.journal.say(
                _("Chưa nhập số hộ của mọi thôn, xóm kế thừa: đảng viên không rõ nơi ở về thôn, xóm đầu tiên.")
            )

    def hamlet_move(self):
        hamlets = _units("hamlet", self.content.get("from", []))
        commune = _parent("hamlet", self.content.get("into"))
        moving = {h.pk for h in hamlets}
        for branch in Branch.objects.filter(hamlets__in=hamlets).distinct().order_by("code"):
            others = branch.hamlets.exclude(pk__in=moving)
            if others.exists():
                raise Refused(
                    _("%(record)s cũng phục vụ %(hamlets)s, không chuyển: một chi bộ chỉ thuộc một xã.")
                    % {"record": _label(branch), "hamlets": ", ".join(h.name for h in others)}
                )
            self.journal.move(branch, "commune", commune, self.day)
        for hamlet in hamlets:
            self.journal.say(
                _("Chuyển %(hamlet)s từ %(old)s sang %(new)s.")
                % {"hamlet": hamlet.name, "old": hamlet.commune.name, "new": commune.name}
            )
            self.journal.move(hamlet, "commune", commune, self.day)

    def commune_merge(self):
        predecessors = _units("commune", self.content.get("from", []))
        successors = self.successors(predecessors)
        if len(successors) != 1:
            raise Refused(_("Sáp nhập xã có đúng một xã mới (hoặc một xã nhận sáp nhập)."))
        successor, _spec = successors[0]
        for commune in predecessors:
            if commune.pk == successor.pk:
                self.link(commune, successor)
                continue
            hamlets = list(Hamlet.objects.filter(commune=commune).order_by("code"))
            branches = list(Branch.objects.filter(commune=commune).order_by("code"))
            for record in [*hamlets, *branches]:
                self.journal.move(record, "commune", successor, self.day)
            self.journal.say(
                _("Chuyển %(hamlets)d thôn, xóm và %(branches)d chi bộ của %(old)s về %(new)s.")
                % {"hamlets": len(hamlets), "branches": len(branches), "old": commune.name, "new": successor.name}
            )
            self.close(commune)
            self.link(commune, successor)

    def province_merge(self):
        predecessors = _units("province", self.content.get("from", []))
        successors = self.successors()
        if len(predecessors) < 2 or len(successors) != 1:
            raise Refused(_("Sáp nhập tỉnh cần ít nhất hai tỉnh và đúng một tỉnh mới (hoặc một tỉnh nhận sáp nhập)."))
        successor, _spec = successors[0]
        for province in predecessors:
            if province.pk != successor.pk:
                communes = list(Commune.objects.filter(province=province).order_by("code"))
                for commune in communes:
                    self.journal.move(commune, "province", successor, self.day, kind="commune_province")
                self.journal.say(
                    _("Chuyển %(count)d xã của %(old)s về %(new)s.")
                    % {"count": len(communes), "old": province.name, "new": successor.name}
                )
                self.close(province)
            self.link(province, successor)

    def unit_move(self):
        """A commune moving to another district (or to none)."""
        units = _units(self.event.level, self.content.get("from", []))
        parent = _parent(self.event.level, self.content.get("into"))
        for unit in units:
            self.journal.move(unit, "district", parent, self.day)
            self.journal.say(_("Chuyển %(unit)s sang %(parent)s.") % {"unit": unit.name, "parent": parent or "—"})

    def establish(self):
        for unit, _spec in self.successors():
            self.link(successor=unit)

    def dissolve(self):
        units = _units(self.event.level, self.content.get("from", []))
        for unit in units:
            if self.event.level == "hamlet":
                branches = self.serving([unit])
                active = Membership.objects.active_on(self.day).filter(branch__in=branches)
                if active.exists():
                    raise Refused(
                        _("%(record)s: chi bộ phục vụ còn %(count)d đảng viên sinh hoạt; hãy chuyển sinh hoạt trước.")
                        % {"record": _label(unit), "count": active.count()}
                    )
                self.dissolve_branches(branches, [unit])
                self.end_heads([unit])
            if self.event.level == "province":
                left = Commune.objects.active_on(self.day).filter(province=unit).count()
                if left:
                    raise Refused(
                        _("%(record)s còn %(count)d xã: hãy sáp nhập tỉnh thay vì giải thể.")
                        % {"record": _label(unit), "count": left}
                    )
            if self.event.level == "district":
                for commune in Commune.objects.filter(district=unit).order_by("code"):
                    self.journal.move(commune, "district", None, self.day)
                self.journal.say(_("Các xã của %(unit)s trực thuộc tỉnh.") % {"unit": unit.name})
            self.close(unit)
            self.link(predecessor=unit)

    def rename(self):
        units = _units(self.event.level, self.content.get("from", []))
        name = (self.content.get("name") or "").strip()
        if len(units) != 1 or not name:
            raise Refused(_("Đổi tên cần đúng một đơn vị và tên mới."))
        unit = units[0]
        self.journal.say(_("Đổi tên %(old)s thành %(new)s.") % {"old": unit.name, "new": name})
        self.link(unit, unit, former_name=unit.name)
        self.journal.change(unit, name=name)

    def run(self):
        level, kind = self.event.level, self.event.kind
        if kind not in SUPPORTED.get(level, ()):
            raise Refused(
                _("Chưa hỗ trợ %(kind)s cấp %(level)s.")
                % {"kind": self.event.get_kind_display(), "level": self.event.get_level_display()}
            )
        handler = {
            ("hamlet", "merge"): self.hamlet_merge,
            ("hamlet", "split"): self.hamlet_split,
            ("hamlet", "move"): self.hamlet_move,
            ("commune", "merge"): self.commune_merge,
            ("commune", "move"): self.unit_move,
            ("province", "merge"): self.province_merge,
        }.get((level, kind)) or {"establish": self.establish, "dissolve": self.dissolve, "rename": self.rename}[kind]
        handler()


def _lock_units():
    """Events are rare and wide: one at a time, and nothing else writes the
    units they touch meanwhile (PostgreSQL; SQLite transactions are exclusive)."""
    list(Reorganisation.objects.select_for_update().order_by("pk").values_list("pk"))


def preview(event):
    """The lines describing what applying `event` would do, or Refused.
    Runs the real application and rolls it back, so the preview cannot
    disagree with what happens."""
    with transaction.atomic():
        lines = _apply(event)
        transaction.set_rollback(True)
    return lines


def _apply(event):
    from coverage_site.lib.dates import today

    if event.pk:
        event = Reorganisation.objects.select_for_update().get(pk=event.pk)
    if event.status == Reorganisation.Status.APPLIED:
        raise Refused(_("Lần sắp xếp này đã được áp dụng."))
    if event.effective_on > today():
        raise Refused(
            _("Lần sắp xếp có hiệu lực từ %(day)s: chỉ áp dụng được từ ngày đó.")
            % {"day": event.effective_on.strftime("%d/%m/%Y")}
        )
    _lock_units()
    if not event.pk:
        event.save()
    applier = Applier(event)
    applier.run()
    event.applied_changes = {"created": applier.journal.created, "changed": applier.journal.changed}
    event.status = Reorganisation.Status.APPLIED
    event.applied_at = timezone.now()
    event.save()
    return applier.journal.lines


def apply(event):
    """Apply the event in one transaction; returns the preview lines."""
    with transaction.atomic():
        return _apply(event)


def undo(event):
    """Reverse what applying wrote, or Refused when later records depend on it."""
    with transaction.atomic():
        event = Reorganisation.objects.select_for_update().get(pk=event.pk)
        if event.status != Reorganisation.Status.APPLIED:
            raise Refused(_("Lần sắp xếp này chưa được áp dụng."))
        _lock_units()
        later = (
            Reorganisation.objects.filter(status=Reorganisation.Status.APPLIED, applied_at__gt=event.applied_at)
            .order_by("applied_at")
            .first()
        )
        journal = event.applied_changes or {}
        if not journal:
            # Imported as already applied (the exchange format carries the
            # result, not the journal, whose ids belong to another database).
            raise Refused(_("Lần sắp xếp này được nhập từ tệp đã áp dụng: không có nhật ký để hoàn tác."))
        # Changed fields must still hold the event's values, else someone built on them.
        for name, pk, field, _old, new in reversed(journal.get("changed", [])):
            model = JOURNAL_MODELS[name]
            obj = model.objects.filter(pk=pk).first()
            if obj is None or _json(getattr(obj, field)) != new:
                raise Refused(
                    _("Không hoàn tác được: %(record)s đã được sửa sau lần sắp xếp này.")
                    % {"record": _label(obj) if obj else name}
                )
        # Fields of one record are restored together (a membership's end date and reason go in pairs).
        restored = {}
        for name, pk, field, old, _new in reversed(journal.get("changed", [])):
            model = JOURNAL_MODELS[name]
            obj = restored.get((name, pk)) or model.objects.get(pk=pk)
            restored[(name, pk)] = obj
            setattr(obj, field, _from_json(model, field, old))
        for obj in restored.values():
            obj.save()
        for name, pk in reversed(journal.get("created", [])):
            model = JOURNAL_MODELS[name]
            obj = model.objects.filter(pk=pk).first()
            if obj is None:
                continue
            try:
                with transaction.atomic():
                    if model is Branch:
                        obj.hamlets.clear()
                    if model is Hamlet:
                        obj.area_types.clear()
                    obj.delete()
            except ProtectedError as exc:
                blocker = next(iter(exc.protected_objects))
                message = _("Không hoàn tác được: %(blocker)s được ghi sau lần sắp xếp này và dựa vào %(record)s.") % {
                    "blocker": _label(blocker),
                    "record": _label(obj),
                }
                if later is not None:
                    message += " " + _("Hãy hoàn tác lần sắp xếp sau (%(act)s) trước.") % {"act": later.act_text()}
                raise Refused(message) from None
        event.status = Reorganisation.Status.PLANNED
        event.applied_changes = {}
        event.applied_at = None
        event.save()
    return event
