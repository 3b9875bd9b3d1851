"""Measure the shipped text emotion model on a labelled file.

    python manage.py evaluate_text_emotion_model --data ../shared/datasets/text/goemotions/data/ekman/test.tsv
    python manage.py evaluate_text_emotion_model --data ../shared/datasets/text/korean_single_turn/dataset_utf8.csv \
        --korean-split test --json var/eval/text_korean_test.json

``--data`` is a GoEmotions-format ``.tsv`` (text, comma-separated Ekman label ids; multi-label
rows count a prediction of any gold label as right) or a Korean-set ``.csv`` (Sentence, Emotion).
For the Korean set, ``--korean-split test`` scores only the 20% held out by the training seed.
Prints accuracy, macro-F1, ECE, a per-class report, the ECE a perfectly calibrated model would
still show on that many texts (its noise floor), the coverage and accuracy of the readings the
site keeps at the model's abstain thresholds (by the text's language), and sentences per second
(``--speed-sample`` texts from the file run through the real encoder in batches, uncached, on
this machine).
Predictions go through the site's own path (windows, pooling); embeddings come from the training
cache when present (``--no-cache`` embeds everything afresh).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Evaluate the text emotion model: accuracy, macro-F1, ECE, per-class report, sentences/s."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="a GoEmotions .tsv or a Korean-set .csv")
        parser.add_argument("--korean-split", choices=["all", "train", "val", "test"], default="all")
        parser.add_argument("--json", default=None, help="also write the report as JSON to this file")
        parser.add_argument("--speed-sample", type=int, default=256, help="texts timed through the encoder (0: skip)")
        parser.add_argument("--batch-size", type=int, default=64, help="texts per read_texts call when timing")
        parser.add_argument("--no-cache", action="store_true", help="do not use the embedding cache")
        parser.add_argument(
            "--record",
            default=None,
            help="also store the report under metrics.RECORD in the shipped model's head.json (e.g. en_test)",
        )

    def handle(self, *args, **options):
        import numpy as np

        from inference.abstaining import thresholds_from
        from inference.text import runtime, training
        from inference.text.evaluation import (
            at_abstain_thresholds,
            ece_noise_floor,
            format_report,
            predict_set,
            score,
            sentences_per_second,
        )
        from moodsite.emotions import EMOTIONS

        path = Path(options["data"])
        if not path.is_file():
            raise CommandError(f"--data {path} is not a file.")
        try:
            data = training.read_any(path)
        except (ValueError, OSError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from error
        if options["korean_split"] != "all":
            if data.name != "korean-single-turn":
                raise CommandError("--korean-split applies to the Korean .csv only.")
            data = dict(zip(("train", "val", "test"), training.korean_split(data), strict=True))[
                options["korean_split"]
            ]
        if not len(data):
            raise CommandError(f"{path} has no labelled rows.")
        try:
            info = runtime.text_model_info()
            embed = None if options["no_cache"] else runtime.cached_embed()
            probabilities = predict_set(data, embed=embed)
            report = score(data, probabilities)
            report["neutral_share"] = round(
                float((np.nan_to_num(probabilities).argmax(axis=1) == EMOTIONS.index("neutral")).mean()), 4
            )
            found = ~np.isnan(probabilities).any(axis=1)
            report["ece_noise_floor"] = ece_noise_floor(probabilities[found].max(axis=1))
            report["abstain"] = at_abstain_thresholds(
                data, probabilities, thresholds_from(face_info=None, text_info=info)
            )
            if options["speed_sample"]:
                report["sentences_per_second"] = round(
                    sentences_per_second(data.texts[: options["speed_sample"]], options["batch_size"]), 1
                )
        except runtime.TextModelUnavailable as error:
            raise CommandError(str(error)) from error

        self.stdout.write(f"model {info['name']} {info['version']} ({info['checksum'][:12]})")
        self.stdout.write(format_report(f"{path.name} [{data.name}]", report))
        floor = report["ece_noise_floor"]
        self.stdout.write(
            f"  ECE a perfectly calibrated model would show on these {report['rows']} texts: "
            f"median {floor['median']:.4f}, 90th percentile {floor['p90']:.4f} (simulated: smaller ECE differences "
            "are noise)"
        )
        kept = report["abstain"]
        accuracy = "-" if kept["kept_accuracy"] is None else f"{kept['kept_accuracy']:.4f}"
        self.stdout.write(
            f"  at the model's abstain thresholds: {kept['kept']} of {kept['rows']} readings kept "
            f"(coverage {kept['coverage']:.1%}), accuracy of the kept {accuracy}"
        )
        if "sentences_per_second" in report:
            self.stdout.write(
                f"  sentences per second: {report['sentences_per_second']} "
                f"({min(options['speed_sample'], len(data))} texts, batches of {options['batch_size']})"
            )
        if options["json"]:
            out = Path(options["json"])
            out.parent.mkdir(parents=True, exist_ok=True)
            payload = {"data": str(path), "split": options["korean_split"], "model": info, **report}
            out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            self.stdout.write(f"wrote {out}")
        if options["record"]:
            path = runtime.model_dir() / runtime.METADATA_FILE
            metadata = json.loads(path.read_text(encoding="utf-8"))
            recorded = {k: v for k, v in report.items() if k != "confusion_matrix"}
            split = options["korean_split"]
            recorded["command"] = f"python manage.py evaluate_text_emotion_model --data {options['data']}" + (
                f" --korean-split {split}" if split != "all" else ""
            )
            metadata.setdefault("metrics", {})[options["record"]] = recorded
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            tmp.replace(path)
            self.stdout.write(f"recorded metrics.{options['record']} in {path}")
