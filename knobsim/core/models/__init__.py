"""The models and what is read off them: the machines and their knobs, the error's
curvature, landscape, slices and slopes, the knobs' ranges. No Qt.
"""
