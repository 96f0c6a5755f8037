"""`python -m warehouse.events [--once …]`: the webhook delivery worker, as `warehouse deliver`.

`warehouse serve` starts the worker this way beside gunicorn, with the same environment.
"""

import sys

from warehouse.cli import cli

cli.main(args=["deliver", *sys.argv[1:]], prog_name="warehouse deliver")
