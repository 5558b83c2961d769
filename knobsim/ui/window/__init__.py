"""The main window and its frame: files, autosave, zoom, exports, the error guard, the
display audit.
"""
