"""Names the HTML, PDF and DOCX parsers look for: tags, roles, metadata keys, style names.

Each list says where it comes from. Nothing here is English prose (that lives in
`retrieval/lang/en.py`); these are the vocabularies of the file formats themselves.
"""

from __future__ import annotations

# Elements that never hold a page's main text. HTML Living Standard, sections 4.3 (sectioning:
# nav, aside, header, footer), 4.10 (forms), 4.11 (interactive: dialog), 4.12 (scripting:
# script, noscript, template), 4.8 (embedded content); plus <head>, whose text is metadata.
BOILERPLATE_TAGS = (
    "head", "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button",
    "select", "textarea", "dialog", "iframe", "object", "embed", "svg", "math", "canvas", "audio", "video",
)
# WAI-ARIA 1.2 landmark and widget roles of page furniture (www.w3.org/TR/wai-aria-1.2/#landmark_roles).
BOILERPLATE_ROLES = ("navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu",
                     "menubar", "toolbar")
# Elements whose text is one paragraph (the issue: paragraphs from <p> and <li>) and headings.
PARAGRAPH_TAGS = ("p", "li")
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Containers that mark the main content, best first: HTML <main>, ARIA role="main", <article>.
MAIN_SELECTORS = ("main", "[role=main]", "article")

# <meta> keys, matched on the lower-cased `property`, `name` or `itemprop` attribute. Sources:
# Open Graph (ogp.me: og:title, og:url, article:published_time), Dublin Core in HTML (dc.title,
# dc.date, dcterms.*), Highwire Press tags used by Google Scholar (citation_*), schema.org
# microdata (datePublished), and the geo tags of geotags.com (geo.placename).
TITLE_META = ("og:title", "dc.title", "dcterms.title", "citation_title", "twitter:title")
DATE_META = ("article:published_time", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued", "citation_date",
             "citation_publication_date", "datepublished", "date", "pubdate")
PLACE_META = ("geo.placename", "dc.coverage.spatial", "dcterms.spatial")
URL_META = ("og:url", "dc.identifier", "dcterms.identifier", "citation_public_url")

# PDF /Title values that name no document: what producers write when the author set none
# (ReportLab "untitled" / "(unspecified)", Word's "Microsoft Word - FILE.docx", a file name).
PDF_PLACEHOLDER_TITLES = ("untitled", "(unspecified)", "(anonymous)", "title", "document")
PDF_TITLE_PREFIXES = ("microsoft word - ", "microsoft powerpoint - ")
FILE_NAME_ENDINGS = (".doc", ".docx", ".pdf", ".odt", ".rtf", ".txt", ".indd", ".tex")

# Word's built-in paragraph styles (ECMA-376 Part 1, 17.7.4: the style names python-docx shows):
# the document's title, and headings whose level is the number after "Heading".
DOCX_TITLE_STYLES = ("title",)
DOCX_SKIPPED_STYLES = ("subtitle", "toc heading", "caption")
DOCX_HEADING_PREFIX = "heading"

# How a page number is labelled in the PDF footers of this corpus's languages (English and
# Russian): "Page 3", "Page 3 of 9", "p. 3", "стр. 3", "Страница 3 из 9", "3 / 9".
PAGE_LABELS = ("page", "p.", "стр.", "страница")
PAGE_OF = ("of", "/", "из")
