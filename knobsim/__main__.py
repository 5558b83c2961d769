"""``python -m knobsim``: the same entry point as the ``knobsim`` command."""

import sys

from knobsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
