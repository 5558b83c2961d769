"""Capacity: how many knobs a model has, the sweep over sizes, and the verdict on
underfitting and overfitting. No Qt.
"""
