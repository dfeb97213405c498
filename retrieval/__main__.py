"""`python -m retrieval` mirrors the `quotebot` command."""

import sys

from retrieval.cli import main

sys.exit(main())
