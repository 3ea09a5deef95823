"""`storycart daemon install`: `storycart daemon --intake` as a service of this user — a systemd
user unit on Linux, a launchd agent on macOS — with the current --db and --config; says where it
wrote it and the one command that starts it. An existing file is kept unless --force; --print
writes the file to stdout instead.

The database URL (a PostgreSQL one may carry a password) is never on the service's command line,
which `ps` shows to every user: systemd reads STORYCART_DB from an EnvironmentFile beside the
unit, launchd from the agent's EnvironmentVariables — both files readable by their owner only."""

from __future__ import annotations

import os
import plistlib
import re
import shlex
import sys
from pathlib import Path

from app.cli.errors import CommandError
from app.cli.intake_limits import DEFAULT_LISTEN
from app.config import Settings, data_dir
from app.domain.i18n import Catalog
from app.services.child_process import DB_ENV

UNIT_NAME = "storycart.service"
ENV_FILE_NAME = "storycart.env"  # beside the unit: STORYCART_DB for the service
AGENT_LABEL = "org.storycart.daemon"
DEFAULT_INTAKE = DEFAULT_LISTEN  # as `storycart intake --listen`


def add_install_parser(actions, common) -> None:
    install = actions.add_parser(
        "install",
        parents=[common],
        help="run `storycart daemon --intake` as a service (systemd user unit or launchd agent)",
        description="Write a systemd user unit (Linux) or a launchd agent (macOS) that runs "
        "`storycart daemon --intake` with this --db and --config, and say how to start it.",
    )
    install.add_argument(
        "--intake",
        metavar="HOST:PORT",
        default=DEFAULT_INTAKE,
        help=f"where the service takes alerts (default {DEFAULT_INTAKE})",
    )
    install.add_argument("--force", action="store_true", help="replace an existing file")
    install.add_argument("--print", action="store_true", help="write it to stdout instead")
    install.add_argument(
        "--manager",
        choices=("systemd", "launchd"),
        help="default: launchd on macOS, systemd elsewhere",
    )
    install.set_defaults(handler=cmd_install)


def daemon_argv(settings: Settings, intake: str) -> list[str]:
    """The service's command: this installation's `storycart` and the same settings file (the
    database is in its environment, `daemon_environment`)."""
    script = Path(sys.executable).with_name("storycart")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]
    argv += ["daemon", "--intake", intake]
    if settings.config_path.exists():
        argv += ["--config", str(settings.config_path.resolve())]
    return argv


def _systemd_word(word: str) -> str:
    """One argument of ExecStart= (systemd.service(5) quoting; % and $ are its specifiers)."""
    word = word.replace("%", "%%").replace("$", "$$")
    if word and not any(char in word for char in " \t\"'\\;"):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def daemon_environment(settings: Settings) -> dict[str, str]:
    return {DB_ENV: settings.db_url}


def environment_file(environment: dict[str, str]) -> str:
    """systemd.exec(5)'s EnvironmentFile: KEY="VALUE", with \\ " $ and ` escaped."""
    escaped = {key: re.sub(r'([\\"$`])', r"\\\1", value) for key, value in environment.items()}
    return "".join(f'{key}="{value}"\n' for key, value in escaped.items())


def systemd_unit(argv: list[str], environment_path: Path) -> str:
    return "\n".join(
        [
            "[Unit]",
            "Description=Story Cart: fire escalations, deliver pages, take alerts",
            "Wants=network-online.target",
            "After=network-online.target",
            "",
            "[Service]",
            "Type=simple",
            "ExecStart=" + " ".join(_systemd_word(word) for word in argv),
            "Restart=on-failure",
            "RestartSec=5",
            "Environment=PYTHONUNBUFFERED=1",
            "# The database (STORYCART_DB), readable by its owner only: never on ExecStart.",
            "EnvironmentFile=" + _systemd_word(str(environment_path)),
            "",
            "[Install]",
            "WantedBy=default.target",
            "",
        ]
    )


def launchd_agent(argv: list[str], log: Path, environment: dict[str, str]) -> bytes:
    return plistlib.dumps(
        {
            "Label": AGENT_LABEL,
            "ProgramArguments": argv,
            "RunAtLoad": True,
            "KeepAlive": True,
            "StandardOutPath": str(log),
            "StandardErrorPath": str(log),
            "EnvironmentVariables": {"PYTHONUNBUFFERED": "1", **environment},
        }
    )


def service_file(manager: str, environ=os.environ) -> Path:
    if manager == "launchd":
        return Path.home() / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist"
    config = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user" / UNIT_NAME


def cmd_install(settings: Settings, args) -> int:
    manager = args.manager or ("launchd" if sys.platform == "darwin" else "systemd")
    argv, environment = daemon_argv(settings, args.intake), daemon_environment(settings)
    path = service_file(manager)
    environment_path = path.with_name(ENV_FILE_NAME)
    if manager == "launchd":
        content = launchd_agent(argv, data_dir() / "daemon.log", environment)
    else:
        content = systemd_unit(argv, environment_path).encode("utf-8")
    if args.print:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    t = Catalog(settings.lang).t
    if path.exists() and not args.force:
        raise CommandError(t("daemon_install.exists", path=str(path)))
    path.parent.mkdir(parents=True, exist_ok=True)
    if manager == "systemd":
        _write_private(environment_path, environment_file(environment).encode("utf-8"))
    _write_private(path, content)
    print(t("daemon_install.wrote", path=str(path)))
    if manager == "launchd":
        command = f"launchctl load -w {shlex.quote(str(path))}"
    else:
        command = f"systemctl --user enable --now {UNIT_NAME}"
    print(t("daemon_install.start", command=command))
    return 0


def _write_private(path: Path, content: bytes) -> None:
    """Owner only: a PostgreSQL URL in it may carry a password."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    os.chmod(path, 0o600)
