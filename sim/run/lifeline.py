"""A lifeline: a pipe whose write end only the parent holds; its children exit when it closes.

A signal to the process group is not sent when the parent is killed with SIGKILL, and a
child's parent-death signal (Linux ``PR_SET_PDEATHSIG``) follows the thread or the process
that forked it (for pool workers, multiprocessing's forkserver), not the ``sim`` command. The
kernel, though, closes every descriptor of a process however it ends, so the read end of a
pipe held open for writing by the parent alone reaches end-of-file the moment the parent is
gone. Each child watches that read end from a daemon thread (:func:`watch`) and leaves at once
(``os._exit``): pool workers from their initializer, the dashboard's server through
``python -m sim.run.lifeline FD MODULE ARGS...``. The parent also cuts the line on purpose
(:meth:`Lifeline.cut`) to stop its children now, e.g. on Ctrl-C.

multiprocessing's forkserver exits when the last process holding its "alive" pipe (the parent
and every worker) is gone, and its resource tracker when the last holder of its pipe is gone,
so once the workers leave, both follow.
"""

from __future__ import annotations

import os
import runpy
import sys
import threading
from multiprocessing.connection import Connection, wait

GONE_EXIT_CODE = 1  # how a child ends when its lifeline is cut (the parent never reads it)


class Lifeline:
    """The parent's end: children get :attr:`reader` (or :attr:`fd` when they are exec'd)."""

    def __init__(self) -> None:
        read, write = os.pipe()  # not inherited by exec'd processes unless passed on purpose
        self.reader = Connection(read, writable=False)
        self._writer: int | None = write

    @property
    def fd(self) -> int:
        """The read end's descriptor, for ``subprocess.Popen(pass_fds=...)``."""
        return self.reader.fileno()

    def cut(self) -> None:
        """Close the write end: every child watching the line exits now (idempotent)."""
        if self._writer is not None:
            os.close(self._writer)
            self._writer = None

    def close(self) -> None:
        """Cut the line and close the parent's copy of the read end too."""
        self.cut()
        self.reader.close()


def watch(reader: Connection | int) -> threading.Thread:
    """In a child: exit this process as soon as the parent's end of ``reader`` closes."""
    thread = threading.Thread(target=_exit_when_cut, args=(reader,), name="sim-lifeline")
    thread.daemon = True
    thread.start()
    return thread


def _exit_when_cut(reader: Connection | int) -> None:
    wait([reader])  # readable only at end-of-file: the parent never writes
    os._exit(GONE_EXIT_CODE)


def main(argv: list[str]) -> None:
    """``python -m sim.run.lifeline FD MODULE ARGS...``: watch FD, run MODULE as ``-m`` would."""
    fd, module, *args = argv
    watch(int(fd))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
