"""The frozen app's entry point: what `vetline` runs when Vetline is installed as an app."""

import multiprocessing
import sys

if __name__ == "__main__":
    # The window parses big inputs in a spawned worker process; in a frozen app that
    # worker is this same executable, which must hand over to multiprocessing at once.
    multiprocessing.freeze_support()

    from vetline.cli import main

    sys.exit(main())
