"""Qt and pyqtgraph views of the core. Widgets receive arrays; they never compute the model."""
