"""The knobs: sliders and dials bound to the session, and the safe learning rate on its
control.
"""
