"""The network diagram and the next-word view."""
