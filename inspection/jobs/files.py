"""Where job files are kept: JOB_FILES_DIR, a private folder that nothing serves directly.

A job's file is named by its public id only, so nothing the person typed reaches a path."""

import os
import shutil
import uuid
from pathlib import Path

from django.conf import settings

from .registry import JobFile


def job_files_dir() -> Path:
    return Path(settings.JOB_FILES_DIR)


def job_file_path(public_id: uuid.UUID) -> Path:
    return job_files_dir() / str(public_id)


def job_file_store(public_id: uuid.UUID, result: JobFile) -> int:
    """Write (or move) the handler's file into place, all at once; returns its size."""
    job_files_dir().mkdir(parents=True, exist_ok=True, mode=0o700)
    final = job_file_path(public_id)
    partial = final.with_name(f".{final.name}.{uuid.uuid4().hex}.part")
    try:
        if result.path is not None:
            shutil.move(result.path, partial)
        else:
            content = result.content
            data = content.encode("utf-8") if isinstance(content, str) else content
            partial.write_bytes(data)
        partial.chmod(0o600)  # personal data: for the service's user only
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return final.stat().st_size


def job_file_delete(public_id: uuid.UUID) -> None:
    job_file_path(public_id).unlink(missing_ok=True)
