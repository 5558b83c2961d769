"""The plots: the fit, the error over time with its scrub bar, the loss landscape, the
embedding map, and the items they share.
"""
