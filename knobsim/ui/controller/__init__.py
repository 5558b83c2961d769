"""The session controller and what it drives: undo commands, the frame clock, the bridge to
the training process.
"""
