"""knobsim: turn a model's parameters by hand, then watch gradient descent turn them.

Importing the package imports nothing else: ``knobsim.core`` stays pure numpy and the Qt
side (``knobsim.ui``, ``knobsim.app``) is loaded only when the window is built.
"""

__version__ = "0.1.0"
