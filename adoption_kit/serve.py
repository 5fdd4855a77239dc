"""Serve the leaders' dashboard with standalone Voila, locked down.

Standalone ``voila`` only (never the Jupyter server extension, which comes with terminals and contents),
bound to 127.0.0.1, sources stripped, tracebacks off, no template or theme from the query string, no files
served, idle kernels culled, security headers on every response, never ``--debug``. The configuration is a
``voila.json`` in a private temporary folder that is also the server's working directory, so no stray
``voila.py`` or ``voila.json`` from wherever the user stands is ever loaded.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from adoption_kit.errors import ConfigError
from adoption_kit.publish import PUBLISHED_ENV, open_run

CONFIG_FILE = "voila.json"
HOST = "127.0.0.1"
SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
}
DENIED_FILES = r".*\.(ipynb|py|json|parquet)"
CELL_TIMEOUT_SECONDS = 120
STOP_SECONDS = 10


def voila_config(*, port: int = 8866, open_browser: bool = False) -> dict:
    """The ``voila.json`` the dashboard runs with."""
    return {
        "Voila": {
            "ip": HOST,
            "port": port,
            "port_retries": 0,
            "open_browser": open_browser,
            "tornado_settings": {"headers": SECURITY_HEADERS},
        },
        "VoilaConfiguration": {
            "strip_sources": True,
            "show_tracebacks": False,
            "allow_template_override": "NO",
            "allow_theme_override": "NO",
            "file_allowlist": [],
            "file_denylist": [DENIED_FILES],
        },
        "VoilaExecutor": {"timeout": CELL_TIMEOUT_SECONDS},
        "MappingKernelManager": {"cull_interval": 60, "cull_idle_timeout": 600},
    }


def voila_command(notebook: Path, *, config_dir: Path) -> list[str]:
    """The command that serves ``notebook`` with the ``voila.json`` of ``config_dir`` and no other."""
    sibling = Path(sys.executable).with_name("voila")
    executable = [str(sibling)] if sibling.is_file() else [sys.executable, "-m", "voila"]
    return [*executable, str(notebook.resolve()), f"--Voila.config_file_paths={config_dir.resolve()}"]


def launch(
    notebook: Path, *, published_root: Path, config_dir: Path, port: int = 8866, open_browser: bool = False
) -> subprocess.Popen:
    """Write the configuration into ``config_dir`` and start Voila there, in a process group of its own."""
    config_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    config = voila_config(port=port, open_browser=open_browser)
    (config_dir / CONFIG_FILE).write_text(json.dumps(config, indent=2), encoding="utf-8")
    environment = {**os.environ, PUBLISHED_ENV: str(published_root.resolve())}
    return subprocess.Popen(
        voila_command(notebook, config_dir=config_dir),
        cwd=config_dir,
        env=environment,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> int:
    """Stop a server started by :func:`launch` (Voila shuts its kernels down on SIGTERM); its exit code."""
    if process.poll() is None:
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait(timeout=STOP_SECONDS)
    return process.returncode


def serve(notebook: Path, *, published_root: Path, port: int = 8866, open_browser: bool = False) -> int:
    """Serve the dashboard ``notebook`` on http://127.0.0.1:<port>/ until interrupted (Ctrl-C or SIGTERM,
    which stop Voila and its kernels too); the exit code."""
    if not notebook.is_file():
        raise ConfigError("no dashboard notebook here", path=notebook, expected="notebooks/dashboard.ipynb")
    open_run(published_root)  # fail here, clearly, if nothing has been published yet
    with tempfile.TemporaryDirectory(prefix="adoption-kit-voila-") as config_dir:
        process = launch(
            notebook,
            published_root=published_root,
            config_dir=Path(config_dir),
            port=port,
            open_browser=open_browser,
        )
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # a stopped command stops its server
        try:
            return process.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            stop(process)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
