"""``python -m codeanatomy.resolve WORKDIR``: the resolver child a build starts (see :mod:`.isolated`)."""

import os
import sys

from codeanatomy.resolve.isolated import run_child

_built = run_child(sys.argv[1:])
# The tables and result are written: exit without freeing what the resolver built
# (seconds of deallocation that the build, waiting for this process, would spend).
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
