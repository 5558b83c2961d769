"""Data: the built-in datasets, the user's files, the next-word corpora, and the catalog
that names them and builds sessions. No Qt.
"""
