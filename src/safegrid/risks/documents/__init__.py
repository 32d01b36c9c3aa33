"""Printable and downloadable risks documents: the filed book PDF, card PDFs, register Excel, QR codes."""
