"""The backup file: a gzip'd tar of ``manifest.json`` and the database copy, optionally encrypted.

Plain, it is an ordinary ``.tar.gz`` an operator can list with ``tar tzf``. Encrypted, it is::

    MAGIC | header length (4 bytes) | header JSON | AES-256-GCM ciphertext | 16-byte tag

The key comes from the passphrase through scrypt (salt and cost in the header); the header is
authenticated with the ciphertext. The header also holds a short key check, so that a wrong
passphrase is told apart from a damaged file. Decryption writes to a temporary file that is
used only after the tag has been verified.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import shutil
import struct
import tarfile
import tempfile
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from tracker.errors import BackupError

MAGIC = b"MTBACKUP-AESGCM1"
MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1 << 20
TAG_BYTES = 16
SCRYPT_N, SCRYPT_R, SCRYPT_P = 1 << 15, 8, 1


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: enough to check it and to restore it into the right schema."""

    format: int
    tracker_version: str
    dialect: str  # sqlite / postgresql
    schema_revision: str | None
    taken_at: str  # ISO 8601, UTC
    payload: str  # the name of the database copy inside the archive
    payload_bytes: int
    sha256: str  # of the payload
    tables: Mapping[str, int]  # rows per table
    db_schema: str | None = None  # PostgreSQL: the schema the tables live in

    def to_json(self) -> bytes:
        return json.dumps({**asdict(self), "tables": dict(self.tables)}, indent=2).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            manifest = cls(**data)
        except (ValueError, TypeError) as exc:
            raise BackupError(f"the backup's manifest is not readable ({exc})") from exc
        if manifest.format != FORMAT:
            raise BackupError(
                f"the backup has format {manifest.format}; this version reads format {FORMAT}"
            )
        return manifest


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def private_file(path: Path) -> int:
    """Create (or truncate) ``path`` readable and writable by its owner only; an fd."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode on O_CREAT; make sure
    return fd


def _keys(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    material = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return material[:32], material[32:]


def _key_check(check_key: bytes) -> str:
    return hmac.new(check_key, b"mentoring-tracker backup key check", "sha256").hexdigest()[:32]


def write_archive(out: Path, manifest: Manifest, payload: Path, passphrase: str | None) -> None:
    """Write the backup file ``out`` (0600), through a temporary file renamed at the end, so a
    crash never leaves a half-written file under the final name."""
    tmp = out.with_name(f".{out.name}.partial")
    try:
        if passphrase is None:
            with os.fdopen(private_file(tmp), "wb") as raw:
                _tar(raw, manifest, payload)
        else:
            with tempfile.TemporaryFile(dir=out.parent) as plain:
                _tar(plain, manifest, payload)
                plain.seek(0)
                with os.fdopen(private_file(tmp), "wb") as raw:
                    _encrypt(plain, raw, passphrase)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"cannot write {out}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _tar(raw: Any, manifest: Manifest, payload: Path) -> None:
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        data = manifest.to_json()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mode = 0o600
        tar.addfile(info, io.BytesIO(data))
        tar.add(payload, arcname=manifest.payload)
    raw.flush()
    os.fsync(raw.fileno())


def _encrypt(plain: Any, raw: Any, passphrase: str) -> None:
    salt, nonce = os.urandom(16), os.urandom(12)
    key, check = _keys(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    header = json.dumps(
        {
            "cipher": "AES-256-GCM",
            "kdf": "scrypt",
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": salt.hex(),
            "nonce": nonce.hex(),
            "key_check": _key_check(check),
        }
    ).encode()
    raw.write(MAGIC + struct.pack(">I", len(header)) + header)
    encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(MAGIC + header)
    while chunk := plain.read(CHUNK):
        raw.write(encryptor.update(chunk))
    raw.write(encryptor.finalize() + encryptor.tag)
    raw.flush()
    os.fsync(raw.fileno())


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def _decrypt(path: Path, passphrase: str | None, target: Any) -> None:
    size = path.stat().st_size
    with path.open("rb") as f:
        f.read(len(MAGIC))
        try:
            (length,) = struct.unpack(">I", f.read(4))
            header_raw = f.read(length)
            header = json.loads(header_raw)
            salt, nonce = bytes.fromhex(header["salt"]), bytes.fromhex(header["nonce"])
            n, r, p = int(header["n"]), int(header["r"]), int(header["p"])
            expected_check = str(header["key_check"])
        except (struct.error, ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"{path}: the encryption header is damaged ({exc})") from exc
        if passphrase is None:
            raise BackupError(
                f"{path} is encrypted: set the environment variable named by "
                "backup.passphrase_env (or --passphrase-env) to its passphrase"
            )
        key, check = _keys(passphrase, salt, n, r, p)
        if not hmac.compare_digest(_key_check(check), expected_check):
            raise BackupError(f"{path}: wrong passphrase")
        body = size - len(MAGIC) - 4 - length - TAG_BYTES
        if body < 0:
            raise BackupError(f"{path} is truncated")
        decryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).decryptor()
        decryptor.authenticate_additional_data(MAGIC + header_raw)
        left = body
        while left > 0:
            chunk = f.read(min(CHUNK, left))
            if not chunk:
                raise BackupError(f"{path} is truncated")
            target.write(decryptor.update(chunk))
            left -= len(chunk)
        tag = f.read(TAG_BYTES)
        try:
            target.write(decryptor.finalize_with_tag(tag))
        except (InvalidTag, ValueError) as exc:
            raise BackupError(
                f"{path} is damaged or truncated: its contents do not match their "
                "authentication tag (nothing was restored)"
            ) from exc


def open_archive(path: Path, passphrase: str | None, workdir: Path) -> tuple[Manifest, Path]:
    """Check the backup file and unpack it into ``workdir``: its manifest and the database copy
    whose SHA-256 matched the manifest.

    Raises BackupError for a missing, truncated, damaged or wrongly decrypted file."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    source: Path = path
    if is_encrypted(path):
        source = workdir / "archive.tar.gz"
        with os.fdopen(private_file(source), "wb") as plain:
            _decrypt(path, passphrase, plain)
    try:
        with tarfile.open(source, mode="r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise BackupError(f"{path}: the archive has no {MANIFEST}")
            manifest = Manifest.from_json(member.read())
            if "/" in manifest.payload or manifest.payload.startswith("."):
                raise BackupError(f"{path}: the manifest names a bad payload")
            # Read the one member by name into a file of our own (no path from the archive is
            # used, so nothing can land outside ``workdir``).
            data = tar.extractfile(manifest.payload)
            if data is None:
                raise BackupError(f"{path}: the archive has no {manifest.payload}")
            with os.fdopen(private_file(workdir / manifest.payload), "wb") as copy:
                shutil.copyfileobj(data, copy, CHUNK)
    except KeyError as exc:
        raise BackupError(f"{path}: the archive lacks {exc} (is it a tracker backup?)") from exc
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"{path} is truncated or damaged ({exc}); nothing was restored") from exc
    finally:
        if source != path:
            source.unlink(missing_ok=True)
    payload = workdir / manifest.payload
    if payload.stat().st_size != manifest.payload_bytes or sha256_of(payload) != manifest.sha256:
        raise BackupError(
            f"{path}: the database copy does not match the checksum in its manifest; "
            "the file is damaged, nothing was restored"
        )
    return manifest, payload
