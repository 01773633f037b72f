"""Sign the notebooks a Voilà server will serve, so that it does not log "Notebook … is not trusted".

Voilà reads every notebook through jupyter_server's contents manager, which checks the notebook's
signature against the serving user's ``nbsignatures.db`` and logs a warning for each unsigned one,
once per page view and once per preheated kernel. The warning changes nothing for a learner
(Voilà marks every output trusted itself), but it buries the log lines that matter. Signing is what
``jupyter trust`` does: an HMAC of the notebook, with the secret in the serving user's Jupyter data
folder, stored in that folder's database. A signature holds until the file changes, so sign right
before serving, as the user (data folder) that serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def notebooks_in(where: Path) -> Iterator[Path]:
    """*where* itself if it is a notebook, else every notebook under it (checkpoints left out)."""
    if where.is_file():
        yield where
        return
    for path in sorted(where.rglob("*.ipynb")):
        if ".ipynb_checkpoints" not in path.parts:
            yield path


def trust_notebooks(where: Path, *, data_dir: Path | None = None) -> list[Path]:
    """Sign every notebook in *where* (a folder or one notebook) for the server whose Jupyter data
    folder is *data_dir* (None: this process's, ``jupyter --data-dir``); return those newly signed.
    A notebook that cannot be read is left as it is: the server reports it when a page asks for it."""
    import nbformat
    from jupyter_core.paths import jupyter_data_dir
    from nbformat.sign import NotebookNotary

    folder = Path(jupyter_data_dir()) if data_dir is None else data_dir
    folder.mkdir(parents=True, exist_ok=True)  # else the notary silently keeps signatures in memory
    notary = NotebookNotary(data_dir=str(folder))  # type: ignore[no-untyped-call]
    signed: list[Path] = []
    try:
        for path in notebooks_in(where):
            try:
                notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]  # as the server does
            except (OSError, ValueError):
                continue
            if not notary.check_signature(notebook):  # type: ignore[no-untyped-call]
                notary.sign(notebook)  # type: ignore[no-untyped-call]
                signed.append(path)
    finally:
        notary.store.close()
    return signed
