"""`python -m bot` does the same as `quotebot serve`."""

import sys

from bot.main import main

sys.exit(main())
