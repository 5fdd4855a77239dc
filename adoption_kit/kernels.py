"""The kernels the batch runs report notebooks in: one per worker process, started once and reused.

Starting a kernel and importing pandas, matplotlib, seaborn and the kit costs a few seconds, more than most
report notebooks take to run. A worker therefore keeps its kernel from one run to the next and clears the
kernel's namespace (``%reset -f``) and figures before each run, so a notebook never sees another's
variables. A kernel that timed out, died or failed to reset is shut down and the next run starts afresh.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from traitlets import default

KERNEL = "python3"
RESET_SECONDS = 30
RESET = "%reset -f\nimport matplotlib.pyplot\nmatplotlib.pyplot.close('all')\ndel matplotlib"


class UnixSocketKernelManager(AsyncKernelManager):
    """Kernels that talk over Unix sockets in the runtime folder instead of TCP ports on localhost: two
    workers starting kernels at the same moment can pick the same free port, and the loser's kernel never
    answers (jupyter_client's port race; papermill issue #239)."""

    @default("transport")
    def _unix_sockets(self) -> str:
        return "ipc"

    @default("ip")
    def _socket_path(self) -> str:
        """A prefix of socket paths no other kernel shares (jupyter_client adds -1 ... -5)."""
        return str(Path(tempfile.gettempdir()) / f"adoption-kit-kernel-{uuid.uuid4().hex}")


class WarmKernel:
    """A worker's kernel, kept between runs: :meth:`ready` gives a manager whose kernel has a clean
    namespace (papermill starts the kernel on first use); :meth:`discard` shuts it down."""

    def __init__(self) -> None:
        self._manager: AsyncKernelManager | None = None

    def ready(self) -> AsyncKernelManager:
        """The kernel manager for the next run: the kept kernel, reset, or a new manager."""
        if self._manager is not None and self._manager.has_kernel and not self._reset():
            self.discard()
        if self._manager is None:
            self._manager = UnixSocketKernelManager(kernel_name=KERNEL)
        return self._manager

    def discard(self) -> None:
        """Shut the kernel down at once (after a timeout or a death, and at the worker's end)."""
        manager, self._manager = self._manager, None
        if manager is not None and manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)

    def _reset(self) -> bool:
        """Clear the kept kernel's namespace and figures; False if the kernel is gone or does not answer."""
        if not run_sync(self._manager.is_alive)():
            return False
        cells = new_notebook(cells=[new_code_cell(RESET)])
        try:
            NotebookClient(cells, km=self._manager, timeout=RESET_SECONDS).execute()
        except Exception:  # any failure to reset (an error, a timeout, a dead kernel) means a fresh kernel
            return False
        return True
