"""The ``cfit`` console script: Django's management entry point with cfit's settings.

``cfit impact fleet|estimate FILE`` computes a register file and ``cfit cloud footprint FILE`` a
FOCUS export; neither touches a database, so they go straight to the Django-free engines
(``cfit.impact.cli``, ``cfit.cloud.cli``): setting Django up and loading every app
would cost about a second before the first line of the file is read. With ``--database`` (the
platform's own reference data) or one of Django's own options it goes through the management
command, which takes the same arguments.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

#: The commands and actions that a Django-free engine computes on its own: ``cfit impact fleet|estimate``
#: (a register file) and ``cfit cloud footprint|compare`` (a FOCUS export).
ENGINE_ACTIONS = {"impact": ("fleet", "estimate"), "cloud": ("footprint", "compare")}
#: Options only the management command knows: the platform's reference data, Django's own options.
DJANGO_OPTIONS = (
    "--database",
    "--settings",
    "--pythonpath",
    "--traceback",
    "--verbosity",
    "--no-color",
    "--force-color",
    "--skip-checks",
)


def engine_arguments(argv: Sequence[str]) -> list[str] | None:
    """The engine's arguments when ``argv`` (as ``sys.argv``) asks for a computation it can do
    without Django; None when the management command is needed."""
    if len(argv) < 3 or argv[2] not in ENGINE_ACTIONS.get(argv[1], ()):
        return None
    for argument in argv[3:]:
        if argument == "--":
            break
        option = argument.split("=", 1)[0]
        if option in DJANGO_OPTIONS or (argument.startswith("-v") and not argument.startswith("--")):
            return None
    return list(argv[2:])


def main() -> None:
    if sys.argv[1:3] == ["notices", "read"] and not any(
        a.split("=", 1)[0] in DJANGO_OPTIONS for a in sys.argv[3:]
    ):
        # The notice reader needs no database at all: it never goes through Django (``notices import`` does).
        from cfit.notices import cli as notices_cli

        sys.exit(notices_cli.main(sys.argv[2:]))
    if sys.argv[1:3] == ["duediligence", "check"]:
        # Reading a CMRT/EMRT and checking its smelters needs no database either.
        from cfit.duediligence import cli as duediligence_cli

        sys.exit(duediligence_cli.main(sys.argv[3:]))
    engine = engine_arguments(sys.argv)
    if engine is not None and sys.argv[1] == "cloud":
        from cfit.cloud import cli as cloud_cli

        sys.exit(cloud_cli.main(engine))
    if engine is not None:
        from cfit.impact import cli

        sys.exit(cli.main(engine))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cfit.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
