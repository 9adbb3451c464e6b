"""``python -m lucidml`` is the ``lucidml`` command."""

from .cli import main

raise SystemExit(main())
