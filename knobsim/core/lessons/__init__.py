"""Teaching: lessons and their goals, Beat the optimizer, hints, words, predictions, a
learner's progress, worksheets and class files. No Qt.
"""
