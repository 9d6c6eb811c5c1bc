#!/usr/bin/env python3
"""mkcpio.py ROOT OUT.gz: ROOT as a gzip-compressed cpio archive in the
"newc" format Linux unpacks as its initramfs
(Documentation/driver-api/early-userspace/buffer-format.rst), plus
/dev/console (character 5:1) so init has a console without root here.
Owner 0, mtime 0, sorted names: the same tree gives the same bytes."""
import gzip
import os
import stat
import sys


def header(ino, mode, nlink, size, rdev_major, rdev_minor, name):
    namesize = len(name) + 1
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev_major, rdev_minor,
              namesize, 0]
    h = b"070701" + b"".join(b"%08X" % f for f in fields)
    h += name + b"\0"
    return h + b"\0" * (-len(h) % 4)


def main():
    root, out = sys.argv[1], sys.argv[2]
    entries = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        for n in sorted(dirnames + filenames):
            entries.append(os.path.normpath(os.path.join(rel, n)))
    data = bytearray()
    ino = 1
    for rel in sorted(entries):
        path = os.path.join(root, rel)
        st = os.lstat(path)
        name = rel.encode()
        if stat.S_ISLNK(st.st_mode):
            body = os.readlink(path).encode()
        elif stat.S_ISREG(st.st_mode):
            with open(path, "rb") as f:
                body = f.read()
        elif stat.S_ISDIR(st.st_mode):
            body = b""
        else:
            sys.exit("mkcpio: %s: only files, directories and links" % path)
        mode = stat.S_IFMT(st.st_mode) | stat.S_IMODE(st.st_mode)
        data += header(ino, mode, 2 if stat.S_ISDIR(st.st_mode) else 1,
                       len(body), 0, 0, name)
        data += body + b"\0" * (-len(body) % 4)
        ino += 1
    if "dev/console" not in entries:
        if "dev" not in entries:
            data += header(ino, stat.S_IFDIR | 0o755, 2, 0, 0, 0, b"dev")
            ino += 1
        data += header(ino, stat.S_IFCHR | 0o600, 1, 0, 5, 1, b"dev/console")
        ino += 1
    data += header(0, 0, 1, 0, 0, 0, b"TRAILER!!!")
    with open(out, "wb") as f:
        f.write(gzip.compress(bytes(data), compresslevel=9, mtime=0))


if __name__ == "__main__":
    main()
