"""Regenerate the test documents under tests/data/ from two shipped declarations.

    python tests/data/make_documents.py

Needs the `dev` extra (reportlab, python-docx) and, for the Moscow PDF, the DejaVu Serif font
(Debian's fonts-dejavu-core): it has the Cyrillic letter and the combining mark that record
uses. The files it writes are committed; the tests read them and never run this script.

Sources: corpus/sco_2012_beijing_declaration.txt (parsed, so the paragraphs and sections are
the parser's) and corpus/sco/20201110_1626651.json (the 2020 Moscow Declaration). Written:

documents/beijing_2012.pdf              one column, justified, paragraph spacing, a running
                                        header and footer, "Page N", a ruled table (an annex)
documents/beijing_2012_two_column.pdf   two columns under a full-width title, header, footer;
                                        no /Title in its metadata
documents/moscow_2020.pdf               ragged right, indented first lines and no spacing,
                                        page numbers "– N –", a running header with the date
documents/beijing_2012_justified.pdf, moscow_2020_justified.pdf   the hardest layout for
                                        paragraph breaks: justified, no spacing, no indent
documents/moscow_2020.meta.json         its sidecar: date, place and URL the PDF does not state
documents/beijing_2012.html, moscow_2020.html   the text inside a realistic page: navigation,
                                        cookie banner, sidebar, footer, scripts and styles
documents/beijing_2012.docx, moscow_2020.docx   Title, Heading 1 and Normal paragraphs (and the
                                        annex table in the Beijing one)
hostile/scanned.pdf                     an "image" page: drawn shapes, no text layer
hostile/encrypted.pdf                   a PDF that needs a user password
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from docx import Document as DocxDocument  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import cm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen import canvas as pdfcanvas  # noqa: E402
from reportlab.lib import pdfencrypt  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    BaseDocTemplate, Frame, FrameBreak, NextPageTemplate, PageTemplate, Paragraph, Spacer, Table, TableStyle,
)

from reportlab import rl_config  # noqa: E402

from retrieval.parsers import parse_file  # noqa: E402

rl_config.invariant = 1  # no creation date or random file id: the same bytes on every run

BEIJING = ROOT / "corpus" / "sco_2012_beijing_declaration.txt"
MOSCOW = ROOT / "corpus" / "sco" / "20201110_1626651.json"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
OUT = HERE / "documents"
HOSTILE = HERE / "hostile"
# An annex that is not in the declaration: a ruled table the parser must keep out of answers.
ANNEX = [("Member State", "Capital city"), ("Republic of Kazakhstan", "Astana"), ("People's Republic of China", "Beijing"),
         ("Kyrgyz Republic", "Bishkek"), ("Russian Federation", "Moscow"), ("Republic of Tajikistan", "Dushanbe"),
         ("Republic of Uzbekistan", "Tashkent")]


def blocks(doc):
    """(section heading or None, paragraph text, kind) in order: a heading when the section changes,
    a "***" separator (set as a heading) where one ends with no new one (as in the Moscow record)."""
    out, section = [], None
    for p in doc.paragraphs:
        if p.section != section:
            out.append((p.section or "***", None, "heading"))
        section = p.section
        out.append((None, p.text, p.kind))
    return out


def _styles(font: str, bold: str, size: float, leading: float, **body):
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=size + 4, leading=leading + 5, alignment=TA_CENTER,
                                spaceAfter=14),
        "heading": ParagraphStyle("heading", fontName=bold, fontSize=size + 1, leading=leading + 2,
                                  alignment=body.pop("heading_align", TA_CENTER), spaceBefore=8, spaceAfter=6),
        "body": ParagraphStyle("body", fontName=font, fontSize=size, leading=leading, **body),
        "signature": ParagraphStyle("signature", fontName=font, fontSize=size, leading=leading, alignment=TA_RIGHT,
                                    spaceBefore=12),
    }


def story(doc, styles, annex=False):
    items = [Paragraph(html.escape(doc.title), styles["title"])]
    for heading, text, kind in blocks(doc):
        if heading:
            items.append(Paragraph(html.escape(heading), styles["heading"]))
        else:
            items.append(Paragraph(html.escape(text), styles["signature" if kind == "signature" else "body"]))
    if annex:
        items.append(Spacer(1, 12))
        items.append(Paragraph("Annex", styles["heading"]))
        table = Table([list(row) for row in ANNEX], colWidths=[7 * cm, 5 * cm])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("FONTNAME", (0, 0), (-1, -1), styles["body"].fontName)]))
        items.append(table)
    return items


def _decorate(header: str, footer: str, font: str, header_align: str = "left"):
    """A page callback drawing the running header, footer text and page number."""
    def draw(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 8)
        width, height = A4
        if header_align == "right":
            canvas.drawRightString(width - 2.5 * cm, height - 1.5 * cm, header)
        else:
            canvas.drawString(2.5 * cm, height - 1.5 * cm, header)
        canvas.line(2.5 * cm, height - 1.65 * cm, width - 2.5 * cm, height - 1.65 * cm)
        page = document.page
        if footer:
            canvas.drawString(2.5 * cm, 1.5 * cm, footer)
            canvas.drawRightString(width - 2.5 * cm, 1.5 * cm, f"Page {page}")
        else:
            canvas.drawCentredString(width / 2, 1.5 * cm, f"– {page} –")
        canvas.restoreState()
    return draw


def one_column_pdf(path, doc, styles, header, footer, font, annex=False, header_align="left"):
    template = BaseDocTemplate(str(path), pagesize=A4, title=doc.title, author="SCO Secretariat",
                               leftMargin=2.5 * cm, rightMargin=2.5 * cm, topMargin=2.3 * cm, bottomMargin=2.3 * cm)
    frame = Frame(template.leftMargin, template.bottomMargin, template.width, template.height, id="body")
    template.addPageTemplates([PageTemplate("page", [frame], onPage=_decorate(header, footer, font, header_align))])
    template.build(story(doc, styles, annex))


def two_column_pdf(path, doc, styles, header, footer, font):
    # no /Title: the parser takes the title from the large type at the top of page one
    template = BaseDocTemplate(str(path), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                               topMargin=2.3 * cm, bottomMargin=2.3 * cm)
    gap, title_height = 0.8 * cm, 3.2 * cm
    col = (template.width - gap) / 2
    x0, y0, h = template.leftMargin, template.bottomMargin, template.height
    first = [Frame(x0, y0 + h - title_height, template.width, title_height, id="title"),
             Frame(x0, y0, col, h - title_height, id="left1"), Frame(x0 + col + gap, y0, col, h - title_height, id="right1")]
    later = [Frame(x0, y0, col, h, id="left"), Frame(x0 + col + gap, y0, col, h, id="right")]
    draw = _decorate(header, footer, font)
    template.addPageTemplates([PageTemplate("first", first, onPage=draw), PageTemplate("later", later, onPage=draw)])
    items = story(doc, styles)
    template.build([items[0], NextPageTemplate("later"), FrameBreak()] + items[1:])


def scanned_pdf(path):
    """A page of grey bars where text would be: what a scan without OCR looks like to a parser."""
    canvas = pdfcanvas.Canvas(str(path), pagesize=A4)
    canvas.setFillColorRGB(0.4, 0.4, 0.4)
    for i in range(30):
        canvas.rect(2.5 * cm, A4[1] - 3 * cm - i * 0.8 * cm, (14 - (i % 4)) * cm, 0.35 * cm, stroke=0, fill=1)
    canvas.showPage()
    canvas.save()


def encrypted_pdf(path):
    encrypt = pdfencrypt.StandardEncryption("user-secret", "owner-secret", canPrint=0)
    canvas = pdfcanvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    canvas.drawString(2.5 * cm, A4[1] - 3 * cm, "This declaration can only be read with a password.")
    canvas.showPage()
    canvas.save()


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>$short | SCO Documents Archive</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="$title">
<meta property="og:type" content="article">
$meta
<link rel="canonical" href="$url">
<link rel="stylesheet" href="/static/site.css">
<style>
  body { font-family: Georgia, serif; } .cookie { position: fixed; bottom: 0; }
  nav li { display: inline; } p.lead::before { content: "Declaration"; }
</style>
<script>
  window.dataLayer = window.dataLayer || [];
  function track(event) { dataLayer.push({event: event, page: "declaration"}); }
</script>
</head>
<body>
<div class="cookie" id="cookie-banner"><p>We use cookies to understand how the archive is used.
  <button onclick="track('cookies')">Accept all</button></p></div>
<header class="site-header">
  <a class="logo" href="/">SCO Documents Archive</a>
  <nav aria-label="Main">
    <ul>
      <li><a href="/">Home</a></li>
      <li><a href="/documents/">Declarations and communiqués</a></li>
      <li><a href="/summits/">Summits</a></li>
      <li><a href="/about/">About the archive</a></li>
    </ul>
  </nav>
  <form class="search" action="/search"><input name="q" placeholder="Search the declarations"></form>
</header>
$body_open
  <p class="breadcrumbs"><a href="/">Home</a> › <a href="/documents/">Documents</a> › $short</p>
$article
$sidebar
$body_close
<footer>
  <p>© 2024 SCO Documents Archive. Texts are reproduced for research and teaching.</p>
  <ul><li><a href="/privacy/">Privacy policy</a></li><li><a href="/contact/">Contact us</a></li></ul>
</footer>
<script src="/static/analytics.js"></script>
<script>track("view"); document.querySelectorAll("p").forEach(function (p) { p.dataset.seen = "1"; });</script>
</body>
</html>
"""

SIDEBAR = """<aside class="related">
  <h3>Related documents</h3>
  <ul>
    <li><a href="/documents/2011-astana">Astana Declaration on the Tenth Anniversary of the SCO (2011)</a></li>
    <li><a href="/documents/2013-bishkek">Bishkek Declaration of the Heads of Member States (2013)</a></li>
  </ul>
  <p>Sign up for our newsletter to receive new documents as they are added to the archive.</p>
</aside>"""


def _article(doc, heading_tag: str, wrap_lines: bool) -> str:
    """The declaration as HTML; `wrap_lines` breaks long paragraphs over source lines, as editors do."""
    parts = [f"<h1>{html.escape(doc.title)}</h1>"]
    for heading, text, kind in blocks(doc):
        if heading:
            parts.append(f"<{heading_tag}>{html.escape(heading)}</{heading_tag}>")
            continue
        body = html.escape(text, quote=False)
        if wrap_lines and len(body) > 100:
            cut = body.find(" ", 90)
            body = body[:cut] + "\n    " + body[cut + 1:]
        cls = ' class="signature"' if kind == "signature" else ""
        parts.append(f"<p{cls}>{body}</p>")
    return "\n".join("  " + p for p in parts)


def html_page(path, doc, short, url, meta, semantic: bool):
    article = _article(doc, "h2", wrap_lines=semantic)
    if semantic:
        body_open, body_close = "<main>", "</main>"
        article = f"<article>\n{article}\n  <p class=\"source\">Source: <a href=\"{html.escape(url)}\">{html.escape(url)}</a></p>\n</article>"
    else:  # no <main> or <article>: the content is found by where the paragraphs are
        body_open, body_close = '<div class="page"><div class="column">', "</div></div>"
        article = f'<div id="content" class="text">\n{article}\n</div>'
    page = (PAGE.replace("$short", html.escape(short)).replace("$title", html.escape(doc.title))
            .replace("$url", html.escape(url)).replace("$meta", meta).replace("$body_open", body_open)
            .replace("$body_close", body_close).replace("$sidebar", SIDEBAR).replace("$article", article))
    path.write_text(page, "utf-8")


def docx_file(path, doc, annex=False):
    word = DocxDocument()
    word.core_properties.title = doc.title
    word.core_properties.author = "SCO Secretariat"
    word.add_paragraph(doc.title, style="Title")
    for heading, text, _kind in blocks(doc):
        if heading:
            word.add_heading(heading, level=1)
        else:
            word.add_paragraph(text)
    if annex:
        word.add_heading("Annex", level=1)
        table = word.add_table(rows=0, cols=2)
        for row in ANNEX:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = row
    word.save(str(path))


def main() -> None:
    OUT.mkdir(exist_ok=True)
    HOSTILE.mkdir(exist_ok=True)
    pdfmetrics.registerFont(TTFont("DejaVuSerif", str(DEJAVU / "DejaVuSerif.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSerif-Bold", str(DEJAVU / "DejaVuSerif-Bold.ttf")))
    beijing, moscow = parse_file(BEIJING), parse_file(MOSCOW)
    times = _styles("Times-Roman", "Times-Bold", 11, 14, alignment=TA_JUSTIFY, spaceAfter=6)
    one_column_pdf(OUT / "beijing_2012.pdf", beijing, times, "Shanghai Cooperation Organization — Council of Heads of State",
                   "Beijing Declaration, 7 June 2012", "Times-Roman", annex=True)
    narrow = _styles("Times-Roman", "Times-Bold", 9.5, 11.5, alignment=TA_JUSTIFY, spaceAfter=4)
    two_column_pdf(OUT / "beijing_2012_two_column.pdf", beijing, narrow, "SCO Summit 2012 — Documents",
                   "Beijing Declaration (two-column edition)", "Times-Roman")
    dejavu = _styles("DejaVuSerif", "DejaVuSerif-Bold", 10, 13, alignment=TA_LEFT, firstLineIndent=18,
                     heading_align=TA_LEFT)
    one_column_pdf(OUT / "moscow_2020.pdf", moscow, dejavu, "Moscow, 10 November 2020", "", "DejaVuSerif",
                   header_align="right")
    # the hardest layout for paragraph breaks: justified, no spacing between paragraphs, no indent
    block = _styles("Helvetica", "Helvetica-Bold", 10, 12, alignment=TA_JUSTIFY)
    one_column_pdf(OUT / "beijing_2012_justified.pdf", beijing, block, "Shanghai Cooperation Organization",
                   "Declaration of the Heads of Member States, Beijing", "Helvetica")
    block = _styles("DejaVuSerif", "DejaVuSerif-Bold", 10, 12, alignment=TA_JUSTIFY, heading_align=TA_LEFT)
    one_column_pdf(OUT / "moscow_2020_justified.pdf", moscow, block, "Shanghai Cooperation Organisation",
                   "The Moscow Declaration", "DejaVuSerif")
    sidecar = {"date": "2020-11-10", "place": "Moscow", "url": "https://eng.sectsco.org/20201110/1626651.html"}
    (OUT / "moscow_2020.meta.json").write_text(json.dumps(sidecar, indent=2) + "\n", "utf-8")
    html_page(OUT / "beijing_2012.html", beijing, "Beijing Declaration (2012)",
              "https://archive.example.org/documents/2012-beijing-declaration",
              '<meta property="article:published_time" content="2012-06-07T00:00:00+08:00">', semantic=True)
    html_page(OUT / "moscow_2020.html", moscow, "Moscow Declaration (2020)", moscow.url,
              '<meta name="date" content="2020-11-10">\n<meta name="geo.placename" content="Moscow">', semantic=False)
    docx_file(OUT / "beijing_2012.docx", beijing, annex=True)
    docx_file(OUT / "moscow_2020.docx", moscow)
    scanned_pdf(HOSTILE / "scanned.pdf")
    encrypted_pdf(HOSTILE / "encrypted.pdf")
    for path in sorted(OUT.iterdir()) + sorted(HOSTILE.iterdir()):
        print(f"{path.relative_to(HERE)}: {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
