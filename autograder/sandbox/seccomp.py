"""The seccomp filter a child runs under: what it refuses, as a classic-BPF program.

Built here, in the grader; installed by bubblewrap (``--seccomp FD``) or, in plain mode, by the
reaper before it starts the child (`reaper.load_seccomp`). Standard library only.
"""

from __future__ import annotations

import os
import struct
import sys

SECCOMP_FILE = "seccomp.bpf"
CLONE_NEWUSER = 0x10000000
# Per architecture: the audit value seccomp reports, and the numbers of the system calls filtered.
ARCHITECTURES = {
    "x86_64": (0xC000003E, {"clone": 56, "unshare": 272, "clone3": 435, "io_uring_setup": 425, "socket": 41}),
    "aarch64": (0xC00000B7, {"clone": 220, "unshare": 97, "clone3": 435, "io_uring_setup": 425, "socket": 198}),
}
_ALLOW, _ERRNO = 0x7FFF0000, 0x00050000
_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_EPERM, _EACCES, _ENOSYS = 1, 13, 38
_AF_INET, _AF_INET6, _AF_PACKET = 2, 10, 17


def seccomp_program(network: bool) -> bytes | None:
    """A classic-BPF seccomp filter (``struct sock_filter[]``, as ``bwrap --seccomp`` reads it),
    or None on an architecture it does not know.

    It refuses: ``unshare``/``clone`` with ``CLONE_NEWUSER`` (EPERM); ``clone3`` (ENOSYS: its
    flags sit behind a pointer a filter cannot read, and the C library then falls back to
    ``clone``); ``io_uring_setup`` (its operations bypass seccomp); any other ABI (32-bit
    calls, x32); and, with ``network``, IPv4, IPv6 and packet sockets (EACCES). All else runs.
    """
    machine = os.uname().machine
    if machine not in ARCHITECTURES or sys.byteorder != "little":
        return None
    arch, nr = ARCHITECTURES[machine]
    code: list[tuple] = []  # (opcode, k, jump-if-true label, jump-if-false label) or (opcode, k)

    def jump(op: int, k: int, yes: str, no: str) -> None:
        code.append((op, k, yes, no))

    labels: dict[str, int] = {}

    def label(name: str) -> None:
        labels[name] = len(code)

    code.append((_LD_W_ABS, 4))  # seccomp_data.arch
    jump(_JEQ, arch, "native", "deny")
    label("native")
    code.append((_LD_W_ABS, 0))  # seccomp_data.nr
    if machine == "x86_64":
        jump(_JGE, 0x40000000, "deny", "number")  # the x32 ABI
    label("number")
    jump(_JEQ, nr["unshare"], "flags", "is_clone")
    label("is_clone")
    jump(_JEQ, nr["clone"], "flags", "is_clone3")
    label("is_clone3")
    jump(_JEQ, nr["clone3"], "nosys", "is_uring")
    label("is_uring")
    jump(_JEQ, nr["io_uring_setup"], "deny", "is_socket" if network else "allow")
    if network:
        label("is_socket")
        jump(_JEQ, nr["socket"], "domain", "allow")
        label("domain")
        code.append((_LD_W_ABS, 16))  # the low half of args[0] (little-endian)
        jump(_JEQ, _AF_INET, "refuse", "inet6")
        label("inet6")
        jump(_JEQ, _AF_INET6, "refuse", "packet")
        label("packet")
        jump(_JEQ, _AF_PACKET, "refuse", "allow")
    label("flags")
    code.append((_LD_W_ABS, 16))
    jump(_JSET, CLONE_NEWUSER, "deny", "allow")
    label("allow")
    code.append((_RET, _ALLOW))
    label("deny")
    code.append((_RET, _ERRNO | _EPERM))
    label("refuse")
    code.append((_RET, _ERRNO | _EACCES))
    label("nosys")
    code.append((_RET, _ERRNO | _ENOSYS))
    out = []
    for i, instruction in enumerate(code):
        if len(instruction) == 2:
            out.append(struct.pack("=HBBI", instruction[0], 0, 0, instruction[1]))
        else:
            op, k, yes, no = instruction
            out.append(struct.pack("=HBBI", op, labels[yes] - i - 1, labels[no] - i - 1, k))
    return b"".join(out)
