"""Printable documents: decisions in the national administrative format and payment lists.

The renderers take plain dataclasses, not models, so that the enrolment and payments apps can
build them from whatever they have (a decision row, a payroll month, a preview before saving).
PDFs are drawn with fpdf2 and the Liberation Serif fonts shipped in `fonts/` (metrically
compatible with Times New Roman, which Decree 30/2020/NĐ-CP prescribes), so they need no
system library and break lines where Word breaks them in the .docx version.
"""
