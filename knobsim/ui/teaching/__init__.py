"""The teaching panels: lessons, Beat the optimizer, races, the capacity lab, progress,
predictions, the glossary.
"""
