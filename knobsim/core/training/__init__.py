"""Training: the session (the one place the weights live), the optimizers, the history and
timeline of a run, the Watch pace and convergence, races, and the training process. No Qt.
"""
