"""Readers that turn the rendered files back into text, so tests assert what a person reads."""

import io

from docx import Document
from pypdf import PdfReader


def docx_text(data: bytes) -> str:
    """Every paragraph of the body and of its tables, in document order, one per line."""
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return "\n".join(lines)


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text with runs of whitespace (line breaks included) made single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def pdf_text(data: bytes) -> str:
    return " ".join(pdf_pages(data))
