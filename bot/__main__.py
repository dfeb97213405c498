"""`python -m bot` does the same as `quotebot serve` (an entry point: the only module of this
package that imports the application layer)."""

import sys

from quotebot.cli import main

sys.exit(main(["serve", *sys.argv[1:]]))
