"""The program's entry: the ``paperlint`` command and ``python -m linter``.

The cyclic collector stays off while the program's modules load. Loading them makes about a
hundred young collections, 15 ms of every start, and every object they walk (modules, classes,
functions) lives to the end anyway; afterwards those objects go straight to the oldest
generation, unscanned (gc.freeze() then gc.unfreeze()), like the documents after parsing (see
linter.engine). Importing linter.cli from Python is unaffected.
"""

from __future__ import annotations

import gc

if gc.isenabled():
    gc.disable()
    try:
        from linter.cli import main as _main
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()
else:
    from linter.cli import main as _main

from typing import NoReturn  # after the program: loaded by then, with the collector off


def main() -> NoReturn:
    _main()


if __name__ == "__main__":
    main()
