"""`python -m finf_train` runs the finf command."""

import sys

from .cli import main

sys.exit(main())
