"""Each job's private folder: made before the run, measured while it runs, removed after.

Without namespaces a per-job tmpfs cannot be mounted, so the total is bounded by
polling (bytes and entries) while the job runs, plus RLIMIT_FSIZE per file. The
residual: between two polls a job can write roughly (poll interval x disk speed)
more; for a hard bound, put the jobs root on a size-limited tmpfs
(`docker run --tmpfs /sandbox:size=64m` and Sandbox(jobs_dir="/sandbox")).

Runs in: the web process, which makes, measures and removes each job's folder; the
zygote and the job, which give it to the job uid (hand_over, give_to_job_uid).
"""

from __future__ import annotations

import ctypes
import os
import stat
import tempfile
from dataclasses import dataclass

from .limits import JOB_GID, JOB_UID

_AT_EMPTY_PATH = 0x1000
_libc = ctypes.CDLL(None, use_errno=True)


def make_root(parent: str | None) -> str:
    """The folder that holds every job dir: others may traverse it, not list it."""
    root = tempfile.mkdtemp(prefix="torchquiz-sandbox-", dir=parent)
    os.chmod(root, 0o711)
    return root


def make_job_dir(root: str, *, for_job_uid: bool) -> str:
    """A new, empty job dir. For a job that drops to the job uid, root gives it away
    now; any other web process shares it with that uid through its own group (setgid,
    so what the job creates is the group's too) and the job takes it (hand_over)."""
    path = tempfile.mkdtemp(prefix="job-", dir=root)
    if for_job_uid:
        if os.geteuid() == 0:
            os.chown(path, JOB_UID, JOB_GID)
        else:
            os.chmod(path, 0o2770)
    return path


@dataclass
class Usage:
    bytes: int = 0
    entries: int = 0
    unreadable: bool = False

    def over(self, max_bytes: int, max_entries: int) -> bool:
        return self.unreadable or self.bytes > max_bytes or self.entries > max_entries


def measure(path: str, max_bytes: int, max_entries: int) -> Usage:
    """Bytes on disk and entries under `path`, never following links; stops early once
    over a limit, so a hostile tree costs at most `max_entries` stats."""
    usage = Usage()
    todo = [path]
    while todo:
        current = todo.pop()
        try:
            with os.scandir(current) as it:
                for entry in it:
                    usage.entries += 1
                    st = entry.stat(follow_symlinks=False)
                    usage.bytes += st.st_blocks * 512
                    if stat.S_ISDIR(st.st_mode):
                        todo.append(entry.path)
                    if usage.over(max_bytes, max_entries):
                        return usage
        except FileNotFoundError:
            continue
        except OSError:
            # e.g. a folder made unreadable, or a path too deep to name
            usage.unreadable = True
            return usage
    return usage


def hand_over(path: str) -> None:
    """Give the job uid a job dir that a web process other than root made (run in the
    job before it drops its uid; needs CAP_CHOWN). A directory keeps its group and its
    setgid bit through chown, so the web process's group can still read and empty it."""
    if os.stat(path).st_uid != JOB_UID:
        os.chown(path, JOB_UID, -1)


def is_job_dir(path: str) -> bool:
    """Whether `path` names a job dir in a jobs root (a request from the web process is
    checked before the zygote acts on it with privileges)."""
    return (
        os.path.realpath(path) == path
        and os.path.basename(path).startswith("job-")
        and os.path.basename(os.path.dirname(path)).startswith("torchquiz-sandbox-")
    )


def give_to_job_uid(dir_fd: int) -> None:
    """hand_over, done by the zygote for a spare (which dropped its uid long before it
    learns its folder), on the folder it opened with O_PATH (handoff.open_job_dir). Even
    a zygote that may not read the folder (no CAP_DAC_OVERRIDE) may chown it."""
    if os.fstat(dir_fd).st_uid != JOB_UID:
        if _libc.fchownat(dir_fd, b"", JOB_UID, -1, _AT_EMPTY_PATH) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"chown of the job folder: {os.strerror(err)}")


def _may_chmod(st: os.stat_result) -> bool:
    # Root may change any mode, an owner its own; anyone else goes on with the modes it
    # finds, and a PermissionError further on says the job's uid must empty it.
    return os.geteuid() in (0, st.st_uid)


def remove_tree(path: str, *, keep_top: bool = False) -> None:
    """Delete a job dir whatever the job did to it: modes, depth, links (only its
    contents with `keep_top`).

    Iterative, with at most two descriptors open: subfolders are moved up to the
    top before their parent is emptied, so depth never costs recursion or fds.
    """
    try:
        top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return
    serial = 0
    try:
        if _may_chmod(os.stat(top)):
            os.chmod(top, 0o700)  # the job may have taken its own write permission away
        while True:
            names = os.listdir(top)
            if not names:
                break
            for name in names:
                st = os.stat(name, dir_fd=top, follow_symlinks=False)
                if not stat.S_ISDIR(st.st_mode):
                    os.unlink(name, dir_fd=top)
                    continue
                sub = _open_dir(top, name)
                try:
                    if _may_chmod(os.stat(sub)):
                        os.chmod(sub, 0o700)
                    for child in os.listdir(sub):
                        cst = os.stat(child, dir_fd=sub, follow_symlinks=False)
                        if stat.S_ISDIR(cst.st_mode):
                            serial = _free_name(top, serial)
                            os.rename(child, f".rm-{serial}", src_dir_fd=sub, dst_dir_fd=top)
                        else:
                            os.unlink(child, dir_fd=sub)
                finally:
                    os.close(sub)
                os.rmdir(name, dir_fd=top)
    finally:
        os.close(top)
    if not keep_top:
        os.rmdir(path)


def _free_name(top: int, serial: int) -> int:
    while True:
        serial += 1
        try:
            os.stat(f".rm-{serial}", dir_fd=top, follow_symlinks=False)
        except FileNotFoundError:
            return serial


def _open_dir(parent: int, name: str) -> int:
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        return os.open(name, flags, dir_fd=parent)
    except PermissionError:
        # The job made it unreadable; as its owner (or root) we may give access back.
        if not _may_chmod(os.stat(name, dir_fd=parent, follow_symlinks=False)):
            raise
        os.chmod(name, 0o700, dir_fd=parent)  # a directory: no link to follow
        return os.open(name, flags, dir_fd=parent)
