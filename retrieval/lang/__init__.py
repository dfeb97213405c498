"""Language data: word lists and data files, one module per language (see en.py)."""
