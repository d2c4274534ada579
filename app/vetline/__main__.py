"""`python -m vetline` runs the command line."""

from vetline.cli import main

raise SystemExit(main())
