"""``python -m codeanatomy.resolve WORKDIR``: the resolver child a build starts (see :mod:`.isolated`)."""

import sys

from codeanatomy.resolve.isolated import run_child

run_child(sys.argv[1:])
