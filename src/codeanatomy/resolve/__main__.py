"""``python -m codeanatomy.resolve WORKDIR``: the resolver child a build starts (see :mod:`.isolated`)."""

import gc
import os
import sys

from codeanatomy.resolve.isolated import run_child

# Everything this process allocates lives until it exits, so the cyclic collector stays
# off for good: turned back on after the solve, its first collection would traverse
# every fact and solver object once (15 M objects, 6 CPU s on the standard library).
gc.disable()
_built = run_child(sys.argv[1:])
# The tables and result are written: exit without freeing what the resolver built
# (seconds of deallocation that the build, waiting for this process, would spend).
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
