"""`python -m service.cli`: the `sla-ledger` command line."""

import sys

from service.cli import main

sys.exit(main())
