"""Allow ``python -m atcgraph`` as an alias of the ``atcgraph`` command."""

import sys

from atcgraph.cli import main

sys.exit(main())
