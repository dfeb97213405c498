"""`python -m quotebot ...` is the `quotebot` command."""

import sys

from quotebot.cli import main

sys.exit(main())
