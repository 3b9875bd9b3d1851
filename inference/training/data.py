"""Reading FER2013 / FER+ and class-folder datasets into 48x48 uint8 arrays (numpy + PIL only).

Label rules (also written in the model card):

* FER+ ``label.csv`` has no header; columns are the image file, the face box, then the votes of
  10 annotators for neutral, happiness, surprise, sadness, anger, disgust, fear, contempt,
  unknown, NF (not a face).
* **Soft labels for training/validation**: the votes for our seven classes, normalised to sum 1.
  Votes for *contempt*, *unknown* and *NF* are dropped (contempt has no class of its own in
  moodsite and is not disgust; mapping it would teach a wrong expression). Images whose
  plurality vote is unknown or NF, or with no vote left for the seven classes, are skipped.
* **Majority label for testing** (Microsoft's FERPlus "majority" protocol): single votes are
  treated as outliers and removed, then an image keeps the top class only if it has more than
  half of the remaining votes and that class is one of the seven; otherwise (no majority,
  contempt, unknown, NF) it is excluded. The plain plurality label (argmax over the seven after
  dropping the other columns; ties excluded) is reported as well.
* FER2013 (``fer2013/{train,test}/<class>/*.jpg``): hard labels from the folder names;
  ``test/PublicTest_*`` is validation, ``test/PrivateTest_*`` the benchmark.
"""

from __future__ import annotations

import csv
import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image

from moodsite.emotions import EMOTIONS

log = logging.getLogger(__name__)

SIZE = 48
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}

# FER+ vote columns (after file name and box), in label.csv order.
FERPLUS_COLUMNS = (
    "neutral",
    "happiness",
    "surprise",
    "sadness",
    "anger",
    "disgust",
    "fear",
    "contempt",
    "unknown",
    "NF",
)
# Column index in FERPLUS_COLUMNS for each of our EMOTIONS.
FERPLUS_TO_EMOTIONS = [
    FERPLUS_COLUMNS.index(c) for c in ("anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral")
]

# Folder names accepted for each class (lower-cased). Anything else is skipped with a warning.
CLASS_ALIASES: dict[str, str] = {}
for _name, _aliases in {
    "angry": ("angry", "anger", "mad", "rage"),
    "disgust": ("disgust", "disgusted", "disgusting"),
    "fear": ("fear", "fearful", "afraid", "scared", "anxious", "anxiety"),
    "happy": ("happy", "happiness", "joy", "joyful", "smile", "smiling"),
    "sad": ("sad", "sadness", "unhappy", "sorrow"),
    "surprise": ("surprise", "surprised", "suprise", "shock", "shocked"),
    "neutral": ("neutral", "calm", "none"),
}.items():
    for _alias in _aliases:
        CLASS_ALIASES[_alias] = _name
# Known classes that moodsite does not model: skipped with a specific warning.
SKIPPED_CLASSES = {"contempt", "contemptuous", "unknown", "nf", "not_face", "notface"}


def canonical_class(folder_name: str) -> str | None:
    return CLASS_ALIASES.get(folder_name.strip().lower().replace(" ", "_").replace("-", "_"))


def to_gray48(image: Image.Image) -> np.ndarray:
    """Any PIL image -> 48x48 uint8 grayscale (resized with area averaging when needed)."""
    gray = image.convert("L")
    if gray.size != (SIZE, SIZE):
        gray = gray.resize((SIZE, SIZE), Image.Resampling.BOX if gray.width > SIZE else Image.Resampling.BILINEAR)
    return np.asarray(gray, dtype=np.uint8)


def load_gray48(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return to_gray48(image)


# --- FER+ -----------------------------------------------------------------------------------------


def read_ferplus_votes(folder: Path) -> tuple[list[str], np.ndarray]:
    """(file names, int votes N x 10) from a FER+ split folder's label.csv."""
    names, votes = [], []
    with open(folder / "label.csv", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 12:
                continue
            names.append(row[0])
            votes.append([int(float(v)) for v in row[2:12]])
    return names, np.asarray(votes, dtype=np.int64).reshape(-1, 10)


def ferplus_soft_labels(votes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(keep mask, N x 7 float32 distributions over EMOTIONS) following the module's rule."""
    seven = votes[:, FERPLUS_TO_EMOTIONS].astype(np.float32)
    plurality = votes.argmax(axis=1)
    keep = (
        (seven.sum(axis=1) > 0)
        & (plurality != FERPLUS_COLUMNS.index("unknown"))
        & (plurality != FERPLUS_COLUMNS.index("NF"))
    )
    dist = seven / np.maximum(seven.sum(axis=1, keepdims=True), 1e-9)
    return keep, dist


def ferplus_majority_labels(votes: np.ndarray) -> np.ndarray:
    """Index into EMOTIONS, or -1 when excluded (Microsoft's FERPlus 'majority' protocol)."""
    cleaned = np.where(votes > 1, votes, 0)
    totals = cleaned.sum(axis=1)
    top = cleaned.argmax(axis=1)
    top_votes = cleaned.max(axis=1)
    col_to_emotion = {col: i for i, col in enumerate(FERPLUS_TO_EMOTIONS)}
    labels = np.full(len(votes), -1, dtype=np.int64)
    for i in range(len(votes)):
        if totals[i] > 0 and top_votes[i] > 0.5 * totals[i] and int(top[i]) in col_to_emotion:
            labels[i] = col_to_emotion[int(top[i])]
    return labels


def ferplus_plurality_labels(votes: np.ndarray) -> np.ndarray:
    """Argmax over the seven classes (other columns dropped); -1 on ties or no votes."""
    seven = votes[:, FERPLUS_TO_EMOTIONS]
    top = seven.max(axis=1)
    ties = (seven == top[:, None]).sum(axis=1) > 1
    labels = seven.argmax(axis=1)
    labels[(top == 0) | ties] = -1
    return labels


def is_ferplus_folder(folder: Path) -> bool:
    return (Path(folder) / "label.csv").is_file()


def load_ferplus_split(folder: Path) -> dict[str, np.ndarray]:
    """All rows of a FER+ split: images, raw votes, soft labels, majority/plurality labels, names."""
    folder = Path(folder)
    names, votes = read_ferplus_votes(folder)
    images = np.stack([load_gray48(folder / name) for name in names]) if names else np.zeros((0, SIZE, SIZE), np.uint8)
    keep, soft = ferplus_soft_labels(votes)
    return {
        "images": images,
        "votes": votes,
        "soft": soft,
        "soft_keep": keep,
        "majority": ferplus_majority_labels(votes),
        "plurality": ferplus_plurality_labels(votes),
        "names": np.asarray(names),
    }


# --- class folders (FER2013 and anything laid out the same way) ------------------------------------


def scan_class_folders(root: Path, pattern: str = "*", warn=log.warning) -> list[tuple[Path, int]]:
    """(path, class index) for every image under root/<class>/ whose name matches pattern."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    items: list[tuple[Path, int]] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        name = canonical_class(folder.name)
        if name is None:
            if folder.name.lower() in SKIPPED_CLASSES:
                warn(f"skipping folder {folder.name!r}: moodsite has no class for it")
            else:
                warn(f"skipping folder {folder.name!r}: not one of {', '.join(EMOTIONS)} or their aliases")
            continue
        index = EMOTIONS.index(name)
        for path in sorted(folder.glob(pattern)):
            if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
                items.append((path, index))
    return items


def load_class_folders(root: Path, pattern: str = "*", warn=log.warning) -> tuple[np.ndarray, np.ndarray]:
    items = scan_class_folders(root, pattern, warn)
    if not items:
        return np.zeros((0, SIZE, SIZE), np.uint8), np.zeros((0,), np.int64)
    images = np.stack([load_gray48(p) for p, _ in items])
    return images, np.asarray([c for _, c in items], dtype=np.int64)


# --- the training cache ----------------------------------------------------------------------------


def build_cache(datasets: Path, out: Path, progress: Iterable | None = None) -> Path:
    """Decode FER+ and FER2013 once into one .npz (about 60 MB) so training never touches JPEGs again."""
    datasets = Path(datasets)
    arrays: dict[str, np.ndarray] = {}
    ferplus = datasets / "ferplus"
    for split, folder in (("train", "FER2013Train"), ("valid", "FER2013Valid"), ("test", "FER2013Test")):
        if (ferplus / folder / "label.csv").is_file():
            data = load_ferplus_split(ferplus / folder)
            for key, value in data.items():
                if key != "names":
                    arrays[f"ferplus_{split}_{key}"] = value
    fer = datasets / "fer2013"
    if (fer / "train").is_dir():
        arrays["fer_train_images"], arrays["fer_train_labels"] = load_class_folders(fer / "train")
        for split, prefix in (("public", "PublicTest_*"), ("private", "PrivateTest_*")):
            images, labels = load_class_folders(fer / "test", prefix)
            arrays[f"fer_{split}_images"], arrays[f"fer_{split}_labels"] = images, labels
    if not arrays:
        raise FileNotFoundError(f"no FER+ or FER2013 data under {datasets}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, **arrays)
    return out


def load_cache(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def cached_arrays(datasets: Path, cache_dir: Path, rebuild: bool = False) -> dict[str, np.ndarray]:
    """The decoded arrays of a datasets folder, from its own cache file (one per folder, so training
    on another copy of the data never reads a stale cache)."""
    key = hashlib.sha256(str(Path(datasets).resolve()).encode()).hexdigest()[:10]
    cache = Path(cache_dir) / f"faces48-{key}.npz"
    if rebuild or not cache.is_file():
        build_cache(datasets, cache)
    return load_cache(cache)


def find_ferplus_root(folder: Path) -> Path | None:
    """The FER+ folder (holding FER2013Train/label.csv) for a datasets root or the FER+ folder itself."""
    folder = Path(folder)
    for candidate in (folder, folder / "ferplus"):
        if (candidate / "FER2013Train" / "label.csv").is_file():
            return candidate
    return None


def training_arrays(
    data_dir: Path,
    cache_dir: Path,
    val_split: float = 0.1,
    seed: int = 0,
    warn=log.warning,
    rebuild: bool = False,
    fer2013_weight: float = 0.0,
) -> dict:
    """Training and validation arrays for ``train_emotion_model --data DIR``.

    * DIR is ``../shared/datasets`` or its ``ferplus/`` folder: FER+ Train (soft labels) for
      training, FER+ Valid for validation; decoded once into ``cache_dir`` (``cached_arrays``).
    * otherwise DIR holds class folders (or ``train/`` and ``val/``/``valid/``/``test/`` with
      class folders): hard labels, and ``val_split`` of train held out when there is no val folder.

    With ``fer2013_weight`` w > 0 (FER+ only), each image's target becomes (1 - w) x its FER+ votes
    + w x FER2013's own label for it, where that label could be matched (``fer2013_match``).
    """
    data_dir = Path(data_dir)
    ferplus = find_ferplus_root(data_dir)
    eye = np.eye(len(EMOTIONS), dtype=np.float32)
    if ferplus is not None:
        arrays = cached_arrays(ferplus.parent if ferplus.name == "ferplus" else ferplus, cache_dir, rebuild)
        keep = arrays["ferplus_train_soft_keep"]
        vkeep = arrays["ferplus_valid_soft_keep"]
        result = {
            "train_images": arrays["ferplus_train_images"][keep],
            "train_targets": arrays["ferplus_train_soft"][keep],
            "val_images": arrays["ferplus_valid_images"][vkeep],
            "val_targets": arrays["ferplus_valid_soft"][vkeep],
            "val_labels": arrays["ferplus_valid_majority"][vkeep],
            "description": {
                "train": f"FER+ FER2013Train, {int(keep.sum())} images, soft labels (vote distributions over "
                "the 7 classes; contempt/unknown/NF votes dropped; unknown/NF-plurality images skipped)",
                "validation": f"FER+ FER2013Valid, {int(vkeep.sum())} images (loss on soft labels; "
                "accuracy and temperature on majority-vote labels)",
                "source": str(ferplus),
            },
        }
        if fer2013_weight > 0:
            _mix_fer2013_labels(result, arrays, fer2013_weight)
        return result
    if fer2013_weight > 0:
        raise FileNotFoundError(
            f"--fer2013-weight needs the FER+ and FER2013 data (../shared/datasets), not {data_dir}"
        )
    train_root = data_dir / "train" if (data_dir / "train").is_dir() else data_dir
    val_root = next((data_dir / n for n in ("val", "valid", "validation") if (data_dir / n).is_dir()), None)
    images, labels = load_class_folders(train_root, warn=warn)
    if len(images) == 0:
        raise FileNotFoundError(f"no training images found under {train_root}")
    if val_root is not None:
        val_images, val_labels = load_class_folders(val_root, warn=warn)
    else:
        order = np.random.default_rng(seed).permutation(len(images))
        n_val = max(1, int(len(images) * val_split))
        val_idx, train_idx = order[:n_val], order[n_val:]
        val_images, val_labels = images[val_idx], labels[val_idx]
        images, labels = images[train_idx], labels[train_idx]
    return {
        "train_images": images,
        "train_targets": eye[labels],
        "val_images": val_images,
        "val_targets": eye[val_labels],
        "val_labels": val_labels,
        "description": {
            "train": f"{train_root}, {len(images)} images, hard labels from folder names",
            "validation": f"{val_root or f'{val_split:.0%} of {train_root} (seed {seed})'}, {len(val_images)} images",
        },
    }


def _mix_fer2013_labels(result: dict, arrays: dict, weight: float) -> None:
    """Blend FER2013's own labels into the FER+ targets (training: the blurred copy; validation: PublicTest)."""
    from inference.training.fer2013_match import TRAIN_COPY_BLUR, match_labels, mixed_targets

    if "fer_train_images" not in arrays or "fer_public_images" not in arrays:
        raise FileNotFoundError("--fer2013-weight needs fer2013/train and fer2013/test next to ferplus/")
    train_labels = match_labels(
        result["train_images"], arrays["fer_train_images"], arrays["fer_train_labels"], TRAIN_COPY_BLUR
    )
    val_labels = match_labels(result["val_images"], arrays["fer_public_images"], arrays["fer_public_labels"])
    result["train_targets"] = mixed_targets(result["train_targets"], train_labels, weight)
    result["val_ferplus_soft"] = result["val_targets"]
    result["val_targets"] = mixed_targets(result["val_targets"], val_labels, weight)
    result["val_fer2013_labels"] = val_labels
    result["description"]["fer2013_labels"] = (
        f"targets = {1 - weight:g} x FER+ votes + {weight:g} x FER2013's own label, matched by pixels for "
        f"{int((train_labels >= 0).sum())} of {len(train_labels)} training images (blurred FER2013 Training copy) "
        f"and {int((val_labels >= 0).sum())} of {len(val_labels)} validation images (FER2013 PublicTest); "
        "unmatched or ambiguous images keep their FER+ votes"
    )
