"""Recommendation reasons stored as sentences in two columns become a code and parameters
(music.reasons), rendered in the reader's language when shown.

Each stored pair of sentences is read back into (code, parameters) and accepted only if writing it
again with the words of the time gives back both sentences exactly. The few that do not (a mood
tag renamed or deleted since, a sentence cut at 300 characters) keep their two sentences as they
were, under the code "text" with {"en": ..., "ko": ...}, and are shown as before.

Migrating backwards writes the sentences again from the codes, with the words of the time.
"""

import re

from django.db import migrations

# The words reasons were written with until now (music.matching.WORDS and music.care.WORDS),
# copied: a migration must not depend on code that changes.
WORDS = {
    "en": {
        "major": "major key",
        "minor": "minor key",
        "match": "close to how you feel",
        "match_far": "in tune with how you feel",
        "lift_start": "starts where you are",
        "lift_step": "a step towards {target}",
        "lift_end": "arrives at {target}",
        "calm": "to help you settle",
        "care_sad": "gentle and consoling, to keep you company (not music about loss)",
        "care_fear": "gentle and steady, to help you feel safe",
        "care_angry": "warm and steady, to help you settle",
        "care_lift_start": "starts gently, to comfort you",
        "care_matched": "as sad as you feel, because you asked for that in your music settings",
        "liked": "you liked it before",
        "liked_artist": "by an artist you like",
        "targets": {"calm": "calm", "joyful": "joy", "energised": "energy"},
    },
    "ko": {
        "major": "장조",
        "minor": "단조",
        "match": "지금 기분과 가까워요",
        "match_far": "지금 기분과 어울려요",
        "lift_start": "지금 기분에서 시작해요",
        "lift_step": "{target} 쪽으로 한 걸음",
        "lift_end": "{target}에 다다라요",
        "calm": "마음을 가라앉히는 데 도움이 돼요",
        "care_sad": "곁에 있어 주는 부드럽고 위로가 되는 곡이에요 (이별과 죽음을 다룬 곡은 고르지 않았어요)",
        "care_fear": "마음이 놓이도록 부드럽고 차분한 곡이에요",
        "care_angry": "마음이 가라앉도록 따뜻하고 차분한 곡이에요",
        "care_lift_start": "위로가 되도록 부드럽게 시작해요",
        "care_matched": "음악 설정에서 고르신 대로 지금의 슬픔과 꼭 맞는 곡이에요",
        "liked": "전에 좋아하신 곡",
        "liked_artist": "좋아하시는 음악가",
        "targets": {"calm": "차분함", "joyful": "기쁨", "energised": "활력"},
    },
}
CODES = ("match", "match_far", "lift_start", "lift_step", "lift_end", "calm",
         "care_sad", "care_fear", "care_angry", "care_lift_start", "care_matched")
NOTES = ("liked", "liked_artist")
TARGETED = ("lift_step", "lift_end")
STORED_TEXT = "text"
TEMPO = re.compile(r"(\d+) BPM")
BATCH = 2000


def sentence(lang: str, code: str, params: dict, tag: tuple[str, str] | None) -> str:
    """A reason as music.matching.reason_text wrote it (tag: the tag's English and Korean names)."""
    words = WORDS[lang]
    parts = []
    if tag:
        parts.append(tag[1] if lang == "ko" else tag[0].lower())
    if params.get("mode") in ("major", "minor"):
        parts.append(words[params["mode"]])
    if params.get("tempo"):
        parts.append(f"{params['tempo']} BPM")
    why = words[code].format(target=words["targets"].get(params.get("target", "calm"), ""))
    if params.get("note"):
        why = f"{why}; {words[params['note']]}"
    return (f"{', '.join(parts)} — {why}" if parts else why)[:300]


def _why(text: str) -> tuple[str, dict] | None:
    words = WORDS["en"]
    for code in CODES:
        if code in TARGETED:
            for target, label in words["targets"].items():
                if text == words[code].format(target=label):
                    return code, {"target": target}
        elif text == words[code]:
            return code, {}
    return None


def to_code(reason_en: str, reason_ko: str, tags: dict[str, list[tuple[str, str, str]]]) -> tuple[str, dict]:
    """(code, parameters) for a stored pair of sentences; tags: {English name in lower case:
    [(slug, English name, Korean name), ...]}. Sentences that cannot be read back exactly give
    ("text", {"en": reason_en, "ko": reason_ko})."""
    fallback = (STORED_TEXT, {"en": reason_en, "ko": reason_ko})
    head, separator, why_text = reason_en.rpartition(" — ")
    note = ""
    for name in NOTES:
        if why_text.endswith(f"; {WORDS['en'][name]}"):
            note, why_text = name, why_text[: -len(f"; {WORDS['en'][name]}")]
            break
    found = _why(why_text)
    if found is None:
        return fallback
    code, params = found
    parts = head.split(", ") if separator else []
    if parts and TEMPO.fullmatch(parts[-1]):
        params["tempo"] = int(TEMPO.fullmatch(parts.pop())[1])
    if parts and parts[-1] in (WORDS["en"]["major"], WORDS["en"]["minor"]):
        params["mode"] = "major" if parts.pop() == WORDS["en"]["major"] else "minor"
    if note:
        params["note"] = note
    candidates: list[tuple[str, str, str] | None] = [None]
    if parts:
        candidates = tags.get(", ".join(parts), [])
    for tag in candidates:
        with_tag = dict(params, tag=tag[0]) if tag else params
        names = (tag[1], tag[2]) if tag else None
        if sentence("en", code, params, names) == reason_en and sentence("ko", code, params, names) == reason_ko:
            return code, with_tag
    return fallback


def _tags(apps) -> dict[str, list[tuple[str, str, str]]]:
    by_name: dict[str, list[tuple[str, str, str]]] = {}
    for slug, name_en, name_ko in apps.get_model("music", "MoodTag").objects.values_list("slug", "name_en", "name_ko"):
        by_name.setdefault(name_en.lower(), []).append((slug, name_en, name_ko))
    return by_name


def forwards(apps, schema_editor):
    Recommendation = apps.get_model("music", "Recommendation")
    tags = _tags(apps)
    batch = []
    for item in Recommendation.objects.only("pk", "reason_en", "reason_ko").order_by("pk").iterator(chunk_size=BATCH):
        item.reason_code, item.reason_params = to_code(item.reason_en, item.reason_ko, tags)
        batch.append(item)
        if len(batch) >= BATCH:
            Recommendation.objects.bulk_update(batch, ["reason_code", "reason_params"])
            batch = []
    Recommendation.objects.bulk_update(batch, ["reason_code", "reason_params"])


def to_sentences(code: str, params: dict, names: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """(reason_en, reason_ko) for a code and parameters; names: {slug: (English, Korean)}."""
    if code == STORED_TEXT:
        return str(params.get("en", ""))[:300], str(params.get("ko", ""))[:300]
    if code not in CODES:
        code = "match"
    tag = names.get(params.get("tag", ""))
    return sentence("en", code, params, tag), sentence("ko", code, params, tag)


def backwards(apps, schema_editor):
    Recommendation = apps.get_model("music", "Recommendation")
    names = {slug: (en, ko) for slug, en, ko in
             apps.get_model("music", "MoodTag").objects.values_list("slug", "name_en", "name_ko")}
    batch = []
    for item in Recommendation.objects.only("pk", "reason_code", "reason_params").order_by("pk").iterator(
            chunk_size=BATCH):
        item.reason_en, item.reason_ko = to_sentences(item.reason_code, item.reason_params or {}, names)
        batch.append(item)
        if len(batch) >= BATCH:
            Recommendation.objects.bulk_update(batch, ["reason_en", "reason_ko"])
            batch = []
    Recommendation.objects.bulk_update(batch, ["reason_en", "reason_ko"])


class Migration(migrations.Migration):
    dependencies = [("music", "0005_recommendation_reason_code")]

    operations = [migrations.RunPython(forwards, backwards)]
