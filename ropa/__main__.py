import sys

from ropa.cli import main

sys.exit(main())
