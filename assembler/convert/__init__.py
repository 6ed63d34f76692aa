"""Conversions to PDF: Word/Excel files through LibreOffice (`soffice`)."""
