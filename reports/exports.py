"""Files of a monthly summary: XLSX, CSV and PDF, written from its content
(the frozen copy once approved). Vietnamese headers, real numbers and dates."""

import datetime
import io
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from django.utils import translation
from django.utils.formats import number_format
from openpyxl import Workbook
from openpyxl.styles import Font

from coverage_site.lib import spreadsheets
from coverage_site.lib.text import vietnamese_key
from hamlets.templatetags.vn import percent

from .indicators import INDICATOR_BY_KEY, KEYS, risk_text
from .summaries import ACTION_LABELS, CHANGE_LABELS

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
]


def _d(text):
    return datetime.date.fromisoformat(text)


def exact_ratio(figure):
    """n/d at full precision, for a spreadsheet cell shown as a percentage (a
    cell holding the 4-decimal ratio would show 17/37 as 46,0%, not 45,9%)."""
    return figure["numerator"] / figure["denominator"] if figure["denominator"] else None


def _by_name(children):
    """Child units in Vietnamese alphabetical order, as a reader looks them up."""
    return sorted(children, key=lambda child: vietnamese_key(child["unit"]["name"]))


def figure_table(content, *, exact=False):
    """Header and rows: the unit, then each commune; per indicator numerator,
    denominator, ratio (the engine's 4-decimal ratio, or exact for XLSX)."""
    header = ["Đơn vị", "Mã"]
    for key in KEYS:
        title = INDICATOR_BY_KEY[key].label
        header += [f"{title} – số", f"{title} – trên tổng", f"{title} – tỷ lệ"]
    rows = []
    for part in [content, *_by_name(content["children"])]:
        row = [part["unit"]["name"], part["unit"]["code"]]
        for key in KEYS:
            figure = part["indicators"][key]
            row += [figure["numerator"], figure["denominator"], exact_ratio(figure) if exact else figure["ratio"]]
        rows.append(row)
    return header, rows


def as_csv(content):
    header, rows = figure_table(content)
    return spreadsheets.csv_bytes(header, rows)


def _figures_sheet(summary, content, status=""):
    """The figures of a summary (the unit, then each child) on a worksheet."""
    summary.append([f"Báo cáo tháng {content['month'][5:]}/{content['month'][:4]} – {content['unit']['name']}"])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append(["Số liệu tại ngày", _d(content["as_of"]), status])
    summary["B2"].number_format = "DD/MM/YYYY"
    summary.append([])
    header, rows = figure_table(content, exact=True)
    summary.append(header)
    for cell in summary[4]:
        cell.font = Font(bold=True)
    for row in rows:
        summary.append(row)
        for cell in summary[summary.max_row][4::3]:
            cell.number_format = "0.0%"
    summary.freeze_panes = "C5"
    summary.column_dimensions["A"].width = 24
    spreadsheets.text_safe(summary)


def as_province_xlsx(parts):
    """Every unit's summary of a month in one workbook, a sheet each, for the
    approver's meeting. parts: [(content, status label)]."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used = set()
    for content, status in parts:
        title = spreadsheets.sheet_title(content["unit"]["name"], used)
        _figures_sheet(workbook.create_sheet(title), content, status)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_province_pdf(parts, month):
    """Every unit's summary of a month in one PDF, each from a new page."""
    return _pdf_document(f"Báo cáo tháng {month:%m/%Y} – các đơn vị", parts)


def as_xlsx(content):
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Tổng hợp"
    bold = Font(bold=True)
    _figures_sheet(summary, content)

    def list_sheet(title, items, columns):
        sheet = workbook.create_sheet(title[:31])
        sheet.append([label for label, _key in columns])
        for cell in sheet[1]:
            cell.font = bold
        for item in items:
            values = []
            for _label, key in columns:
                value = item.get(key, "")
                if key == "date" and value:
                    value = _d(value)
                if key == "conditions":
                    value = risk_text(value)
                values.append(value)
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "DD/MM/YYYY"

    place = [("Mã", "code"), ("Tên", "name"), ("Xã", "commune")]
    list_sheet(ACTION_LABELS["hamlets_without_branch"], content["actions"]["hamlets_without_branch"], place)
    list_sheet(
        ACTION_LABELS["branches_at_risk"],
        content["actions"]["branches_at_risk"],
        place + [("Điều kiện nguy cơ", "conditions")],
    )
    changes = workbook.create_sheet("Thay đổi trong tháng")
    changes.append(["Loại thay đổi", "Mã", "Tên", "Nơi", "Ngày", "Lý do"])
    for cell in changes[1]:
        cell.font = bold
    for key, label in CHANGE_LABELS.items():
        for item in content["changes"][key]:
            changes.append(
                [
                    label,
                    item["code"],
                    item["name"],
                    item.get("commune") or item.get("branch", ""),
                    _d(item["date"]) if item.get("date") else None,
                    item.get("reason", ""),
                ]
            )
            changes.cell(changes.max_row, 5).number_format = "DD/MM/YYYY"
    for worksheet in workbook.worksheets:
        spreadsheets.text_safe(worksheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" in pdfmetrics.getRegisteredFontNames():
        return "DejaVuSans"
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont("DejaVuSans", path))
            # Bold and italic, for <b>/<i> and the document's header block.
            styles = {"Bold": "DejaVuSans", "Oblique": "DejaVuSans", "BoldOblique": "DejaVuSans"}
            for style in styles:
                variant = Path(path).with_name(f"DejaVuSans-{style}.ttf")
                if variant.exists():
                    pdfmetrics.registerFont(TTFont(f"DejaVuSans-{style}", str(variant)))
                    styles[style] = f"DejaVuSans-{style}"
            pdfmetrics.registerFontFamily(
                "DejaVuSans",
                normal="DejaVuSans",
                bold=styles["Bold"],
                italic=styles["Oblique"],
                boldItalic=styles["BoldOblique"],
            )
            return "DejaVuSans"
    raise RuntimeError("Không tìm thấy phông DejaVu Sans để in tiếng Việt: cài gói fonts-dejavu-core (apt).")


def _pct(figure):
    """A figure's percentage as the pages write it in Vietnamese ("56,5%"): files are in Vietnamese."""
    with translation.override("vi"):
        return percent(figure)


def _n(value):
    """A count with the Vietnamese thousands mark, as on the pages ("2.217")."""
    with translation.override("vi"):
        return number_format(value, force_grouping=True)


def _bar_chart(content, font, width):
    """The dashboard's bar chart (hamlets without a branch, by commune), drawn for the PDF."""
    from reportlab.graphics.shapes import Drawing, Rect, String

    items = [(c["unit"]["name"], c["indicators"]["hamlets_without_branch"]) for c in _by_name(content["children"])]
    if not items:
        return None
    row = 13
    drawing = Drawing(width, row * len(items) + 10)
    label_w, bar_left = 120, 125
    space = width - bar_left - 70
    for index, (name, figure) in enumerate(reversed(items)):
        y = 5 + index * row
        drawing.add(String(label_w, y + 2, name[:24], fontName=font, fontSize=7, textAnchor="end"))
        length = 0 if figure["ratio"] is None else max(1, space * min(figure["ratio"], 1))
        drawing.add(Rect(bar_left, y, length, 9, fillColor="#b3261e", strokeColor=None))
        drawing.add(
            String(
                bar_left + length + 3,
                y + 2,
                f"{_pct(figure)} ({_n(figure['numerator'])}/{_n(figure['denominator'])})",
                fontName=font,
                fontSize=7,
            )
        )
    return drawing


def _esc(text):
    """Text for a ReportLab paragraph, which reads <tags> and &entities: a
    name like '<img src="http://…"/>' must print as written, never make the
    server fetch a URL or put a link into the document."""
    return xml_escape(str(text), {'"': "&quot;"})


def as_pdf(content, *, approved=None):
    """One unit's summary as a PDF document."""
    month = f"{content['month'][5:]}/{content['month'][:4]}"
    return _pdf_document(f"Báo cáo tháng {month} – {content['unit']['name']}", [(content, approved)])


def _pdf_document(title, summaries):
    """A PDF of one or several summaries [(content, approved or None)], each
    starting on a new page, numbered "Trang x/y" through the whole file."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    font = _font()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
    )
    story = []
    for index, (content, approved) in enumerate(summaries):
        if index:
            story.append(PageBreak())
        story += _pdf_story(content, approved, font)
    document.build(story, canvasmaker=_numbered_canvas(font))
    return buffer.getvalue()


def _pdf_story(content, approved, font):
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    normal = ParagraphStyle("n", fontName=font, fontSize=9, leading=12)
    small = ParagraphStyle("s", fontName=font, fontSize=7.5, leading=9.5)
    title = ParagraphStyle("t", fontName=font, fontSize=14, leading=18, alignment=1)
    heading = ParagraphStyle("h", fontName=font, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4)
    month = f"{content['month'][5:]}/{content['month'][:4]}"
    as_of = _d(content["as_of"])
    issued = approved.date() if approved else datetime.date.today()
    story = [
        _header_block(content["unit"], issued, font),
        Spacer(1, 6 * mm),
        Paragraph("<b>BÁO CÁO</b>", title),
        Paragraph(f"Tổng hợp độ phủ chi bộ tháng {month} – {_esc(content['unit']['name'])}", title),
        Spacer(1, 4 * mm),
        Paragraph(
            f"Số liệu tại ngày {as_of:%d/%m/%Y}"
            + (f"; đã duyệt ngày {approved:%d/%m/%Y}" if approved else "; chưa duyệt"),
            normal,
        ),
        Paragraph("Các chỉ tiêu", heading),
    ]
    rows = [["Chỉ tiêu", "Số", "Trên tổng", "Tỷ lệ", "Tháng trước"]]
    for key in KEYS:
        figure, previous = content["indicators"][key], content["previous_indicators"][key]
        rows.append(
            [
                Paragraph(_esc(INDICATOR_BY_KEY[key].label), small),
                _n(figure["numerator"]),
                _n(figure["denominator"]),
                _pct(figure),
                _pct(previous),
            ]
        )
    table_style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef0f3")),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#b7bec7")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    story.append(Table(rows, colWidths=[85 * mm, 18 * mm, 22 * mm, 20 * mm, 24 * mm], style=table_style, repeatRows=1))
    if content["children"]:
        story.append(Paragraph("Theo đơn vị trực thuộc", heading))
        rows = [["Đơn vị", "Chưa có chi bộ", "Chưa có ĐV tại chỗ", "Chi bộ có nguy cơ", "BT được bồi dưỡng"]]
        for child in _by_name(content["children"]):
            f = child["indicators"]
            rows.append(
                [Paragraph(_esc(child["unit"]["name"]), small)]
                + [
                    f"{_n(f[k]['numerator'])}/{_n(f[k]['denominator'])}"
                    for k in (
                        "hamlets_without_branch",
                        "hamlets_without_resident_members",
                        "branches_at_risk",
                        "secretaries_trained",
                    )
                ]
            )
        story.append(
            Table(rows, colWidths=[60 * mm, 27 * mm, 32 * mm, 30 * mm, 30 * mm], style=table_style, repeatRows=1)
        )
        chart = _bar_chart(content, font, 180 * mm)
        if chart is not None:
            story.append(KeepTogether([Paragraph("Thôn, xóm chưa có chi bộ theo đơn vị", heading), chart]))
    story.append(Paragraph("Thay đổi so với cuối tháng trước", heading))
    for key, label in CHANGE_LABELS.items():
        items = content["changes"][key]
        text = ", ".join(_esc(f"{i['name']} ({i.get('commune') or i.get('branch', '')})") for i in items[:40])
        more = f" … và {len(items) - 40} nữa" if len(items) > 40 else ""
        story.append(Paragraph(f"<b>{_esc(label)}</b> ({len(items)}): {text or '—'}{more}", small))
    actions = list(ACTION_LABELS.items())
    for number, (key, label) in enumerate(actions, start=1):
        items = content["actions"][key]
        heading_of_list = Paragraph(_esc(f"{label} ({len(items)})"), heading)
        text = "; ".join(
            _esc(f"{i['name']} – {i['commune']}" + (f" [{risk_text(i['conditions'])}]" if i.get("conditions") else ""))
            for i in items
        )
        listed = Paragraph(text or "—", small)
        if number < len(actions):
            story += [heading_of_list, listed]
        else:
            # The signature block is kept on one page with the end of the content.
            story.append(KeepTogether([heading_of_list, listed, Spacer(1, 8 * mm), _signature_block(font)]))
    return story


def _place(name):
    """ "Huyện Quỳnh Lưu" -> "Quỳnh Lưu": the place of the date line."""
    for prefix in ("Thành phố ", "Thị xã ", "Thị trấn ", "Huyện ", "Phường ", "Xã ", "Quận "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _header_block(unit, issued, font):
    """The heading of a Party document: the issuing body at top left (the
    district committee's organisation board, or the commune's party
    committee), the Party's name and the place-and-date line at top right."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    centre = ParagraphStyle("hc", fontName=font, fontSize=10, leading=13, alignment=1)
    place = _esc(_place(unit["name"]))
    if unit.get("kind") == "commune":
        body = f"ĐẢNG BỘ {_esc(unit['name'].upper())}<br/><b>ĐẢNG ỦY</b>"
        number = "Số: ……-BC/ĐU"
    else:
        body = f"HUYỆN ỦY {place.upper()}<br/><b>BAN TỔ CHỨC</b>"
        number = "Số: ……-BC/BTCHU"
    left = [Paragraph(body, centre), Paragraph("*", centre), Paragraph(number, centre)]
    right = [
        Paragraph("<b><u>ĐẢNG CỘNG SẢN VIỆT NAM</u></b>", centre),
        Paragraph("&nbsp;", centre),
        Paragraph(f"<i>{place}, ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}</i>", centre),
    ]
    return Table(
        [[left, right]],
        colWidths=[80 * mm, 100 * mm],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
    )


def _signature_block(font):
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    left = ParagraphStyle("sl", fontName=font, fontSize=8, leading=11)
    centre = ParagraphStyle("sc", fontName=font, fontSize=10, leading=13, alignment=1)
    recipients = [
        Paragraph("<b><i>Nơi nhận:</i></b>", left),
        Paragraph("- Ban Tổ chức Tỉnh ủy (b/c);", left),
        Paragraph("- Thường trực cấp ủy (b/c);", left),
        Paragraph("- Lưu.", left),
    ]
    signer = [
        Paragraph("<b>T/M BAN TỔ CHỨC</b>", centre),
        Paragraph("<b>TRƯỞNG BAN</b>", centre),
        Paragraph("<i>(ký, ghi rõ họ tên)</i>", centre),
    ]
    return Table(
        [[recipients, signer]],
        colWidths=[80 * mm, 100 * mm],
        rowHeights=[35 * mm],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
    )


def _numbered_canvas(font):
    """A canvas that writes "Trang x/y" at the foot of every page (the total
    is known only once every page is laid out: pages are kept, then drawn)."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 8)
                width = self._pagesize[0]
                self.drawCentredString(width / 2, 8 * mm, f"Trang {self._pageNumber}/{total}")
                super().showPage()
            super().save()

    return NumberedCanvas


FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", as_xlsx),
    "csv": ("text/csv; charset=utf-8", as_csv),
    "pdf": ("application/pdf", as_pdf),
}


def render(summary_content, export_format, *, approved=None):
    """The file of a summary; in Vietnamese whatever the interface language
    (official documents: domain.md, "Exports stay in Vietnamese")."""
    _mime, writer = FORMATS[export_format]
    with translation.override("vi"):
        if export_format == "pdf":
            return writer(summary_content, approved=approved)
        return writer(summary_content)


def province_month_file(month, export_format, within=None):
    """Every reporting unit's summary of a month as one workbook ("xlsx") or
    one PDF ("pdf"), in Vietnamese (official documents): the approver's
    download and the leaders' email attachment (reports/reminders.py).
    `within`: one province's units only (its approver's download)."""
    from django.utils import translation

    from . import summaries

    with translation.override("vi"):
        # The summaries only: the province's own figures are not part of these files.
        units = [summary for _unit, summary in summaries.month_summaries(month, within)]
        if export_format == "pdf":
            approved = [s.approved_at if s.status == s.Status.APPROVED else None for s in units]
            return as_province_pdf(list(zip(map(summaries.content_of, units), approved, strict=True)), month)
        statuses = [str(s.get_status_display()) for s in units]
        return as_province_xlsx(list(zip(map(summaries.content_of, units), statuses, strict=True)))
