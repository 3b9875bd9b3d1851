"""What every page must pass in a real browser: no sideways scrolling, touch targets of 44 px,
axe-core's WCAG 2.1 A/AA rules, and (in Korean) no English word left in the interface."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Words a Korean page may show in Latin letters: the product's name, brands people type or see on
# their phone, units and codes that are written so in Korean too.
ALLOWED_LATIN = {
    "moodsite", "demo", "qr", "utc", "mp3", "midi", "ogg", "csv", "json", "zip", "pdf", "api", "sd",
    "google", "microsoft", "authenticator", "iphone", "android", "ai", "am", "pm", "ok", "kb", "mb",
    "jpeg", "png", "webp", "heic", "bpm", "lufs", "e-mail", "email",
}

# Against the width the test set: a phone browser widens its layout viewport (window.innerWidth)
# to fit content that is too wide, so comparing with innerWidth would hide the overflow.
OVERFLOW = "(width) => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - width"

# Interactive elements smaller than 44 x 44 CSS pixels. Links inside a sentence are exempt (WCAG
# 2.5.8's inline exception: making them taller would break the line spacing of the text); a radio
# button or checkbox counts with its label when the label is large enough.
SMALL_TARGETS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[role=button], [tabindex="0"]';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    if (el.closest('.skip-link') || el.closest('[aria-hidden=true]')) continue;
    if (el.tagName === 'A' && style.display === 'inline') {
      const block = el.parentElement.closest('p, li, td, dd, figcaption, small, span.help') || el.parentElement;
      if (block.textContent.trim() !== el.textContent.trim()) continue;
    }
    if (el.type === 'radio' || el.type === 'checkbox') {
      const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) { const l = label.getBoundingClientRect(); if (l.height >= 44 && l.width >= 44) continue; }
    }
    if (box.width < 43.5 || box.height < 43.5) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : '');
      const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30);
      small.push(`${name} "${text}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""

# The interface's text: what is shown and what assistive technology reads (labels, alt texts),
# without what people wrote or catalogue data (marked data-content) and text marked as not to be
# translated (codes, keys).
INTERFACE_TEXT = """() => {
  const skip = el => el.closest('[data-content], [translate=no], script, style, noscript, code, time[data-raw]');
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || skip(el)) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (el.closest('[hidden]') || el.closest('datalist') || el.closest('template')) continue;
    texts.push(node.textContent);
  }
  const labelled = '[aria-label], [alt], [title], [placeholder], input[type=submit][value]';
  for (const el of document.querySelectorAll(labelled)) {
    if (skip(el)) continue;
    for (const name of ['aria-label', 'alt', 'title', 'placeholder']) {
      if (el.getAttribute(name)) texts.push(el.getAttribute(name));
    }
    if (el.tagName === 'INPUT' && el.type === 'submit') texts.push(el.value);
  }
  return texts.join('\\n');
}"""

_EMAIL = re.compile(r"\S+@\S+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")


def english_words(text: str, names: set[str]) -> list[str]:
    text = _EMAIL.sub(" ", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\b\w*\d\w*\b", " ", text)  # codes such as HX7K2PQM or MP3
    words = []
    for word in _WORD.findall(text):
        lower = word.lower()
        if lower in ALLOWED_LATIN or lower in names or len(word) == 1:
            continue
        words.append(word)
    return sorted(set(words))


def axe_violations(page) -> list[str]:
    assert AXE.is_file(), f"axe-core is missing at {AXE}: run `make install` (npm install) first"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    found = []
    for violation in result["violations"]:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:4])
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return found


def consent_text_published() -> None:
    """The consent text is migration data: a transactional test before this one flushed it."""
    from importlib import import_module

    from django.apps import apps

    from welfare.models import ConsentText

    if not ConsentText.objects.exists():
        import_module("welfare.migrations.0002_consent_text_v1").publish(apps, None)
