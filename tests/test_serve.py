"""The dashboard server: the locked-down configuration, then the real standalone Voila on the fixture."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from tornado.websocket import websocket_connect

from adoption_kit.errors import KitError
from adoption_kit.serve import SECURITY_HEADERS, launch, serve, stop, voila_command, voila_config
from tests.published_fixture import write_published_fixture

DASHBOARD = Path(__file__).resolve().parents[1] / "notebooks" / "dashboard.ipynb"
START_SECONDS = 60
SOURCE_TEXT = ("build_dashboard", "open_run", "import os", "QUERY_STRING")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=START_SECONDS) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


def _wait_until_up(base: str, process) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "voila exited before answering"
        try:
            urllib.request.urlopen(f"{base}/voila/static/", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"voila did not answer within {START_SECONDS} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("published")
    run = write_published_fixture(root)
    served = tmp_path_factory.mktemp("voila")  # Voila's root folder: what a file URL would reach
    shutil.copy(run / "headcount.parquet", served)
    shutil.copy(DASHBOARD, served / "copy.ipynb")
    port = _free_port()
    process = launch(DASHBOARD, published_root=root, config_dir=served, port=port)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        stop(process)


def test_the_configuration_is_locked_down():
    config = voila_config(port=9000)
    assert config["Voila"]["ip"] == "127.0.0.1" and config["Voila"]["port"] == 9000
    assert config["Voila"]["tornado_settings"]["headers"] == SECURITY_HEADERS
    settings = config["VoilaConfiguration"]
    assert settings["strip_sources"] is True and settings["show_tracebacks"] is False
    assert settings["allow_template_override"] == settings["allow_theme_override"] == "NO"
    assert settings["file_allowlist"] == [] and "parquet" in settings["file_denylist"][0]
    assert config["MappingKernelManager"]["cull_idle_timeout"] > 0


def test_the_command_is_this_environments_standalone_voila_with_only_the_private_config(tmp_path):
    command = voila_command(DASHBOARD, config_dir=tmp_path)
    assert Path(command[0]).parent == Path(sys.executable).parent or command[1:3] == ["-m", "voila"]
    assert str(DASHBOARD) in command
    assert f"--Voila.config_file_paths={tmp_path.resolve()}" in command
    assert not any("debug" in part for part in command)


# fmt: off
@pytest.mark.parametrize("missing", [
    "notebook",   # no dashboard notebook
    "published",  # nothing published yet
])
# fmt: on
def test_when_something_is_missing_then_serve_raises_kit_error_without_starting(tmp_path, missing):
    published = tmp_path / "published"
    published.mkdir()
    if missing == "published":
        notebook = DASHBOARD
    else:
        write_published_fixture(published)
        notebook = tmp_path / "dashboard.ipynb"
    with pytest.raises(KitError):
        serve(notebook, published_root=published, port=_free_port())


@pytest.mark.slow
def test_when_the_dashboard_is_opened_then_it_renders_without_source_and_with_security_headers(server):
    status, headers, page = _get(f"{server}/")
    assert status == 200
    assert "application/vnd.jupyter.widget-view+json" in page
    assert "There was an error" not in page
    assert not [text for text in SOURCE_TEXT if text in page]
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value


# fmt: off
@pytest.mark.parametrize("path", [
    "/voila/files/dashboard.ipynb",  # the notebook's source
    "/voila/files/copy.ipynb",       # a notebook in the folder Voila serves from
    "/voila/files/headcount.parquet",  # a published table in that folder
    "/voila/files/voila.json",       # the server's configuration
    "/voila/render/copy.ipynb",      # another notebook, executed
    "/copy.ipynb",
    "/api/kernels",                  # the Jupyter REST API
    "/api/contents/",
    "/static/etc/passwd",            # CVE-2024-30265
])
# fmt: on
@pytest.mark.slow
def test_when_files_or_apis_are_asked_for_then_they_are_refused(server, path):
    status, _, _ = _get(f"{server}{path}")
    assert status in (403, 404)


@pytest.mark.slow
def test_when_the_query_string_asks_for_another_template_or_theme_then_it_is_ignored(server):
    status, _, page = _get(f"{server}/?template=classic&theme=dark")
    assert status == 200
    assert "voila/templates/lab/" in page and "voila/templates/classic" not in page
    assert '"jupyterLabTheme": "light"' in page


def _message(msg_type: str, content: dict, channel: str = "shell") -> str:
    """A Jupyter message as the kernel websocket's JSON protocol carries it."""
    header = {"msg_id": uuid.uuid4().hex, "session": "test", "username": "viewer", "msg_type": msg_type,
              "version": "5.3", "date": ""}
    return json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                       "channel": channel, "buffers": []})


async def _replies(url: str, messages: list[str], *, seconds: float) -> list[str]:
    """Send ``messages`` on the kernel websocket at ``url``; the types of the messages that come back."""
    connection = await websocket_connect(url)
    for message in messages:
        await connection.write_message(message)
    received, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            reply = await asyncio.wait_for(connection.read_message(), deadline - time.monotonic())
        except TimeoutError:
            break
        if reply is None:
            break
        received.append(json.loads(reply)["header"]["msg_type"])
    connection.close()
    return received


@pytest.mark.slow
def test_when_a_viewer_sends_code_on_the_kernel_websocket_then_it_is_not_run(server, tmp_path):
    _, _, page = _get(f"{server}/")
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', page).group(1)
    url = f"{server.replace('http', 'ws', 1)}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"
    marker = tmp_path / "ran"
    attacks = [
        _message("execute_request", {"code": f"open({str(marker)!r}, 'w').close()", "silent": False,
                                     "store_history": False, "user_expressions": {}, "allow_stdin": False}),
        _message("inspect_request", {"code": "open", "cursor_pos": 4, "detail_level": 1}),
        _message("execute_request", {"code": f"open({str(marker)!r}, 'w').close()"}, channel="control"),
    ]
    answered = asyncio.run(_replies(url, [*attacks, _message("kernel_info_request", {})], seconds=5))
    assert "kernel_info_reply" in answered  # the websocket works: the allowed request was answered
    assert not {"execute_reply", "execute_input", "inspect_reply"} & set(answered)
    time.sleep(1)
    assert not marker.exists()
