"""Attachments: reading PDFs in a pool of killable worker processes."""
