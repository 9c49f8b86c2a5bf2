"""Writing a file that is either whole or not there: exports and imported decks.

`write_atomically` writes a partial file beside the target (`.<name>.<pid>.<random>.partial`), fsyncs
it, and then renames it over the target (or, with `replace=False`, links it to a name that must not
exist yet, which fails instead of replacing a file another process made meanwhile). Any failure removes
the partial file and leaves the target as it was; so do SIGTERM and SIGHUP (the handler removes the file,
then the process dies of the signal as it would have). A partial left by a process that was killed
outright (SIGKILL, a power cut) is removed by the next write to the same target.

Only regular files are written: a directory, a FIFO or a device is refused (writing a device as root
would replace the device node). A symlink is followed: its target is written and the link stays; an
existing file keeps its permissions, a new one gets the usual 0666 less the umask.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import secrets
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from recall.database_file import file_kind
from recall.errors import RecallError

PARTIAL_SUFFIX = ".partial"
# Signals whose default action ends the process: caught while a partial file exists, to remove it.
CLEANUP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
# What link() fails with on a filesystem without hard links (FAT, some network and FUSE mounts).
NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EXDEV, errno.EMLINK}


class FileWriteError(RecallError):
    """A file cannot be written (or may not be: it is not a regular file); one sentence, and the target
    is as it was."""


class TargetExistsError(FileWriteError):
    """`write_atomically(..., replace=False)` found something at the target's name."""


class _Terminated(BaseException):
    """Raised by the signal handler, so the write unwinds and removes its partial file."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def resolve_target(target: Path) -> Path:
    """The file a write to `target` must replace: a symlink's final target, so the link itself stays."""
    return Path(os.path.realpath(target))


def _existing_mode(target: Path, shown: Path) -> int | None:
    """The permission bits of the regular file at `target` (None if there is none); refuses anything
    else that is there."""
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FileWriteError(f"cannot write {shown}: {exc.strerror}") from None
    if not stat.S_ISREG(status.st_mode):
        raise FileWriteError(f"cannot write {shown}: it is {file_kind(status.st_mode)}, and recall writes only "
                             "regular files (nothing was changed)")
    return stat.S_IMODE(status.st_mode)


def _process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, as another user's process
        return False
    return False


def remove_stale_partials(target: Path) -> list[Path]:
    """Remove the partial files of writes to `target` whose process has died (killed before it could
    clean up); returns them. Those of a live process, this one included, are left alone."""
    removed = []
    pattern = f".{glob.escape(target.name)}.*{PARTIAL_SUFFIX}"
    for partial in target.parent.glob(pattern):
        middle = partial.name[len(target.name) + 2:-len(PARTIAL_SUFFIX)]  # "<pid>.<random>"
        pid, _, _token = middle.partition(".")
        if pid.isdigit() and int(pid) != os.getpid() and _process_is_gone(int(pid)):
            with contextlib.suppress(OSError):
                partial.unlink()
                removed.append(partial)
    return removed


@contextlib.contextmanager
def _removed_on_termination() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP (if nothing else handles them) raise `_Terminated`, so the
    write unwinds through its cleanup; then the process dies of the signal. Only the main thread can
    set handlers: elsewhere (the study app's store thread) a stale partial waits for the next write."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, _frame: object) -> None:
        signal.signal(signum, signal.SIG_IGN)  # a second signal must not interrupt the cleanup
        raise _Terminated(signum)

    previous = {}
    for signum in CLEANUP_SIGNALS:
        if signal.getsignal(signum) is signal.SIG_DFL:
            previous[signum] = signal.signal(signum, terminate)
    try:
        yield
    except _Terminated as terminated:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        signal.raise_signal(terminated.signum)
        raise  # only if the signal did not end the process
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _create_partial(target: Path) -> tuple[int, Path]:
    """A new, empty partial file beside `target` (mode 0666 less the umask) and its descriptor."""
    while True:
        partial = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}")
        try:
            return os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666), partial
        except FileExistsError:
            continue


def _link_new(partial: Path, target: Path, shown: Path) -> None:
    """Give the finished partial file the name `target`, which must not exist: link() fails if it does.
    Without hard links, an empty file claims the name exclusively and the partial file replaces it."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise TargetExistsError(f"{shown} already exists") from None
    except OSError as exc:
        if exc.errno not in NO_HARD_LINKS:
            raise
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            raise TargetExistsError(f"{shown} already exists") from None
        try:
            os.replace(partial, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(target)
            raise
    else:
        os.unlink(partial)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every system can open a directory)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_atomically(target: Path, write: Callable[[BinaryIO], None], *, replace: bool = True) -> Path:
    """Call `write` with a binary file, and put what it wrote at `target` all at once: replacing the
    regular file there (following a symlink, keeping the file's mode), or, with `replace=False`, only if
    nothing is there (else `TargetExistsError`). On any failure, or SIGTERM/SIGHUP, no partial file stays
    and `target` is as it was; an OSError becomes a `FileWriteError` sentence. Returns the path written."""
    if replace:
        path = resolve_target(target)
        mode = _existing_mode(path, target)
    else:
        path, mode = target, None
        if os.path.lexists(target):
            raise TargetExistsError(f"{target} already exists")
    directory = path.parent
    if not directory.is_dir():
        raise FileWriteError(f"cannot write {target}: the directory {directory} does not exist")
    remove_stale_partials(path)
    with _removed_on_termination():
        try:
            descriptor, partial = _create_partial(path)
        except OSError as exc:
            raise FileWriteError(f"cannot write in {directory}: {exc.strerror}") from None
        try:
            with os.fdopen(descriptor, "wb") as handle:
                write(handle)
                handle.flush()
                if mode is not None:
                    os.fchmod(handle.fileno(), mode)
                os.fsync(handle.fileno())
            if replace:
                os.replace(partial, path)
            else:
                _link_new(partial, path, target)
            _sync_directory(directory)
        except BaseException as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
            if isinstance(exc, OSError):
                raise FileWriteError(f"cannot write {target}: {exc.strerror or exc}; no file was written") from None
            raise
    return path
