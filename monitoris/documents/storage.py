"""Where document bytes live: a content-addressed store behind one small interface.

``LocalStorage`` keeps each file once under ``<root>/<aa>/<bb>/<sha256>``, outside any web root.
A file is written to a temporary file in the store's own directory while it is hashed, in
chunks (a 100 MB upload never sits whole in memory), and renamed into place only when complete:
an interrupted upload leaves at most a ``.part`` file, which ``documents cleanup`` removes.
An S3-compatible backend would implement the same four methods.
"""

import hashlib
import os
import tempfile
import time
from pathlib import Path

from flask import current_app

CHUNK = 1024 * 1024
PART_SUFFIX = ".part"


class TooLarge(Exception):
    def __init__(self, limit):
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


class Staged:
    """An upload written and hashed but not yet in the store: ``commit()`` or ``discard()`` it."""

    def __init__(self, storage, path, sha256, size):
        self.storage, self.path, self.sha256, self.size = storage, Path(path), sha256, size

    def commit(self):
        final = self.storage.path_for(self.sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            self.path.unlink(missing_ok=True)  # the same bytes are stored already
            # Fresh again: ``documents cleanup`` spares young files, so it cannot take unreferenced bytes
            # (a refused or rolled-back upload's) that this upload is about to refer to.
            os.utime(final)
        else:
            os.replace(self.path, final)  # atomic within one file system
        return final

    def discard(self):
        self.path.unlink(missing_ok=True)


class LocalStorage:
    def __init__(self, root):
        self.root = Path(root)

    def path_for(self, sha256):
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def stage(self, stream, max_size=None):
        """Copy ``stream`` into a temporary file of the store, hashing as it goes."""
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, suffix=PART_SUFFIX)
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise TooLarge(max_size)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return Staged(self, name, digest.hexdigest(), size)

    def exists(self, sha256):
        return self.path_for(sha256).exists()

    def open(self, sha256):
        return open(self.path_for(sha256), "rb")

    def delete(self, sha256):
        self.path_for(sha256).unlink(missing_ok=True)

    def stored(self):
        """Every sha256 in the store."""
        for path in self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*"):
            if path.is_file() and len(path.name) == 64:
                yield path.name

    def stale_parts(self, older_than_seconds):
        cutoff = time.time() - older_than_seconds
        tmp_dir = self.root / "tmp"
        if not tmp_dir.exists():
            return []
        return [p for p in tmp_dir.glob(f"*{PART_SUFFIX}") if p.stat().st_mtime < cutoff]

    def age_seconds(self, sha256):
        return time.time() - self.path_for(sha256).stat().st_mtime


def hash_file(fileobj):
    digest = hashlib.sha256()
    while chunk := fileobj.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def storage():
    """The configured backend (local directory ``UPLOAD_FOLDER`` by default)."""
    return LocalStorage(current_app.config["UPLOAD_FOLDER"])
