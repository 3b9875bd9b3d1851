"""Does a diary text clearly speak of wanting to die or of self-harm? Rules first, the text model second.

Pure Python (no Django models, no torch): `entry_create` runs it on every save, so help can be
shown on the very next page, before any worker has read the entry.

How a text is read
  1. NFKC, lower case, curly quotes made straight.
  2. Quoted words are somebody else's (a song, a film, a neighbour): they are dropped, unless the
     writer says they said or thought them ("I said 'I want to die'", "'죽고 싶다'고 혼자 중얼거렸다").
  3. Everyday idioms are blanked out before anything else is looked at: "배고파 죽겠다",
     "죽을 만큼 웃었다", "I'm dying to see you", "this traffic is killing me", "to die for" ...
  4. Each clause is matched against CLEAR patterns (an unmistakable wish to die, a plan, self-harm)
     and POSSIBLE ones ("사라지고 싶다", "I can't go on": often despair, sometimes not).
  5. A match followed or preceded by a negation ("죽고 싶지는 않다", "I would never hurt myself") does
     not count.

`CLEAR` shows crisis help at once. `POSSIBLE` shows a gentle line with the numbers; it becomes a
crisis signal only when the text model, read later in the worker, also finds the words mostly sad
or afraid (`confirms`). The model is a secondary signal: a clear rule match never waits for it,
and a missing or changed model (any distribution over emotion names) leaves the rules working.

The patterns were written for tests/diary/wellbeing/crisis_sentences.tsv (hand-written, both
languages); the test reports precision and recall and requires every clear positive to be found.
"""

# ruff: noqa: E501 - the pattern tables read best one rule per line
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

NONE, POSSIBLE, CLEAR = "none", "possible", "clear"
LEVELS = (NONE, POSSIBLE, CLEAR)

# A POSSIBLE match is confirmed when the text model puts at least this much probability on sadness
# and fear together: the two emotions of despair. 0.5 is "more likely than not", the lowest figure
# that still means the words themselves read as despairing.
MODEL_CONFIRMS_AT = 0.5
DESPAIR_EMOTIONS = ("sad", "fear")


@dataclass(frozen=True)
class Finding:
    level: str = NONE
    rule: str = ""  # the name of the pattern that matched (stored; never the text itself)

    @property
    def is_clear(self) -> bool:
        return self.level == CLEAR


# --- Idioms: blanked before matching -------------------------------------------------------------

_KO_IDIOMS = [
    # "…해 죽겠다 / 죽겠어 / 죽을 것 같다 / 죽을 뻔 / 죽을 만큼 / 죽도록" after a feeling is emphasis.
    r"죽겠[다어네요음고지]*",
    r"죽을\s*(?:것\s*같|거\s*같|뻔|만큼|맛|지경|힘을|똥|상|둥)",
    r"죽도록",
    r"죽어라\s*(?:하고|일|공부|뛰)",
    r"죽여\s*주[는네요다]",  # "맛이 죽여준다": delicious
    r"죽인다",
    r"죽이는\s*(?:맛|날씨|노래|경치)",
    r"웃겨\s*죽",
    r"(?:창피|부끄러|쪽팔|민망)[해워려]서?\s*(?:죽고\s*싶|죽을)",
    r"(?:숨이|기가|코가)\s*죽",
    r"(?:배터리|폰|핸드폰|휴대폰|시동|불씨|화분|꽃|식물)[이가은는]?\s*(?:다\s*)?죽",
    r"죽은\s*(?:척|듯이)",
    r"쥐\s*죽은\s*듯",
    r"죽이\s*맞",
    r"죽을\s*죄",
    r"(?:기|풀|사기)[가이]\s*죽",
    r"죽 ?(?:한\s*그릇|을\s*끓|을\s*먹|을\s*쑤)",  # 죽 (rice porridge)
    r"자살\s*(?:예방|방지|률|골|특공|통계)",
    r"자살(?:예방|방지)",
]
_EN_IDIOMS = [
    r"dying\s+(?:to|for)\b",
    r"(?:die|died|dying)\s+(?:of|from|with)\s+(?:laughter|laughing|embarrassment|shame|boredom|curiosity|envy|jealousy)",
    r"(?:die|died|dying)\s+laughing",
    r"(?:to\s+die\s+for)",
    r"(?:is|are|was|were|'s|'re)\s+killing\s+me",
    r"kill(?:ing|ed)?\s+(?:it|time)\b",
    r"kill\s+for\s+(?:a|an|some)\b",
    r"killing\s+myself\s+(?:laughing|with\s+work|at\s+work|at\s+the\s+gym|to\s+\w+)",
    r"(?:bored|scared|sick|tired|worried|frightened)\s+to\s+death",
    r"dead\s+(?:tired|on\s+my\s+feet|end|line|serious|easy|wrong|right|set)",
    r"over\s+my\s+dead\s+body",
    r"(?:phone|battery|laptop|car|engine|plant|plants|flowers|conversation|party)\s+(?:has\s+|had\s+|just\s+)?(?:died|is\s+dead|was\s+dead)",
    r"die\s+(?:my|her|his|your)\s+hair",
    r"could\s+(?:have\s+)?(?:just\s+)?died\b",
    r"suicide\s+(?:prevention|hotline|awareness|squad|rate|rates|statistics|doors?)",
    r"(?:my|the)\s+legs?\s+(?:are|were)\s+killing",
    r"cut\s+myself\s+(?:a|some|off|short|out)\b",
    r"hurt\s+myself\s+(?:laughing|playing|lifting|at|on|in|while|when|skiing|running|gardening|falling|cooking)",
]

# --- Patterns ----------------------------------------------------------------------------------
# (name, level, regex, negatable). Negatable patterns do not count when negated (see _negated).

_KO_PATTERNS: list[tuple[str, str, str, bool]] = [
    ("ko_want_to_die", CLEAR, r"죽고\s*싶|죽어\s*버리고\s*싶|죽어버리고\s*싶|죽어\s*버릴까|죽어버릴까|죽고만\s*싶", True),
    ("ko_better_dead", CLEAR, r"(?:차라리\s*)?죽는\s*(?:게|것이|편이|것이\s*더|게\s*더)\s*(?:더\s*)?나[을았으아]|죽는\s*게\s*낫|죽는\s*것이\s*낫", True),
    ("ko_wish_dead", CLEAR, r"(?:내가|제가|나는|저는|차라리|그냥|나\s*같은\s*건)\s*(?:그냥\s*)?죽었으면\s*좋겠|(?:내가|제가)\s*없어지면|(?:내가|제가)\s*없는\s*게\s*나", True),
    ("ko_suicide", CLEAR, r"자살\s*(?:하고\s*싶|하고싶|할까|할\s*생각|을\s*생각|생각|충동|하려|시도|계획|해\s*버리|해버리|할\s*거|하겠|을\s*결심|하기로|할\s*방법|방법)", True),
    ("ko_take_life", CLEAR, r"목숨을\s*끊|스스로\s*목숨|생을\s*마감하|삶을\s*끝내|세상을\s*(?:떠나고|등지고)\s*싶|인생을\s*끝내", True),
    ("ko_not_live", CLEAR, r"살고\s*싶지\s*않|살고\s*싶지가\s*않|살기\s*싫|더\s*(?:이상\s*)?살\s*(?:자신이|이유가|의미가|힘이)\s*없|살\s*이유가\s*없|살아야\s*할\s*이유가\s*없|살아갈\s*이유가\s*없|살아\s*있고\s*싶지\s*않|살아서\s*뭐\s*하", False),
    ("ko_self_harm", CLEAR, r"자해|손목을\s*(?:긋|그었|그을|긁|그어)|(?:나를|내\s*몸을|스스로를|제\s*몸을|저를|나\s*자신을)\s*(?:해치|다치게\s*하고|상처\s*내|때리고\s*싶|칼로)|칼로\s*(?:내|제)\s*(?:몸|팔|손목)", True),
    ("ko_jump", CLEAR, r"뛰어내리고\s*싶|뛰어내릴까|뛰어내리려고|뛰어내리기로|뛰어내릴\s*생각", True),
    ("ko_overdose", CLEAR, r"(?:수면제|약)[을를]?\s*(?:잔뜩|한꺼번에|다|전부|모아|많이)\s*(?:먹고|삼키|털어)\s*(?:죽|싶|잠들)|수면제[를을]?\s*모으", True),
    ("ko_farewell", CLEAR, r"유서[를을]?\s*(?:쓰|썼|써)|마지막\s*인사를\s*(?:하고|남기)", True),
    ("ko_not_wake", POSSIBLE, r"(?:깨어나지|눈을\s*뜨지|깨지)\s*않았으면|영원히\s*잠들고\s*싶|아침이\s*안\s*왔으면", True),
    ("ko_disappear", POSSIBLE, r"사라지고\s*싶|없어지고\s*싶|소멸하고\s*싶|증발하고\s*싶", True),
    ("ko_end_all", POSSIBLE, r"(?:다|모든\s*걸|모든\s*것을|전부)\s*끝내고\s*싶|(?:다|모두)\s*끝났으면|이제\s*그만\s*(?:살|하고\s*싶)", True),
    ("ko_meaningless", POSSIBLE, r"사는\s*게\s*(?:의미가\s*없|무슨\s*의미|아무\s*의미)|왜\s*사는지\s*모르|살아서\s*뭐|사는\s*게\s*지옥|버틸\s*힘이\s*없|더는\s*못\s*버티", False),
]
_EN_PATTERNS: list[tuple[str, str, str, bool]] = [
    ("en_want_to_die", CLEAR,
     r"\b(?:want|wanna|wanted|wish|wishing|going|plan|planning|ready|trying|tried|decided|think\s+i'?ll|think\s+i\s+should)"
     r"\s+(?:to\s+)?(?:just\s+)?(?:die|be\s+dead|not\s+(?:be\s+)?(?:alive|here|exist))\b", True),
    ("en_kill_myself", CLEAR, r"\bkill(?:ing)?\s+myself\b|\bend(?:ing)?\s+my\s+(?:own\s+)?life\b|\btake\s+my\s+(?:own\s+)?life\b"
     r"|\btaking\s+my\s+(?:own\s+)?life\b|\bend(?:ing)?\s+it\s+all\b", True),
    ("en_suicidal", CLEAR, r"\bsuicidal\b|\b(?:commit(?:ting)?|attempt(?:ing|ed)?|consider(?:ing|ed)?|thinking\s+(?:about|of)|thought\s+(?:about|of)|thoughts\s+of|think\s+about)"
     r"\s+suicide\b|\bsuicide\s+(?:note|plan|attempt)\b", True),
    ("en_better_dead", CLEAR, r"\bbetter\s+off\s+(?:dead|without\s+me)\b|\bwish\s+i\s+(?:were|was)\s+(?:dead|never\s+born)"
     r"|\bwish\s+i\s+had\s+never\s+been\s+born|\bwish\s+i\s+could\s+(?:just\s+)?(?:die|disappear\s+forever|not\s+wake\s+up)", True),
    ("en_not_live", CLEAR, r"\b(?:don'?t|do\s+not|no\s+longer)\s+want\s+to\s+(?:live|be\s+alive|go\s+on\s+living|wake\s+up)"
     r"|\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|go\s+on|going\s+on)\b|\blife\s+(?:is\s+not|isn'?t)\s+worth\s+living"
     r"|\bnot\s+worth\s+living\b|\btired\s+of\s+(?:living|being\s+alive)\b", False),
    ("en_self_harm", CLEAR, r"\bself[-\s]?harm(?:ing|ed)?\b|\b(?:hurt|harm|cut|cutting|hurting|harming|burn|burning)\s+myself\b"
     r"|\bslit\s+my\s+wrists?\b|\bhang\s+myself\b|\bhanging\s+myself\b|\bjump\s+(?:off|in\s+front\s+of)\s+(?:a|the)\s+"
     r"(?:bridge|roof|building|train|balcony|cliff)", True),
    ("en_overdose", CLEAR, r"\boverdos(?:e|ing)\b|\btake\s+all\s+(?:my|the|of\s+my)\s+(?:pills|tablets|sleeping\s+pills)"
     r"|\b(?:saving|stockpiling|hoarding)\s+(?:up\s+)?(?:my\s+)?(?:pills|tablets)", True),
    ("en_not_wake", POSSIBLE, r"\b(?:hope|wish)\s+i\s+(?:don'?t|do\s+not|never)\s+wake\s+up\b|\bgo\s+to\s+sleep\s+(?:and|forever)\s+(?:never|not)", True),
    ("en_disappear", POSSIBLE, r"\bwant\s+to\s+disappear\b(?!\s+into)|\bwish\s+i\s+could\s+disappear\b|\bvanish\s+forever\b", True),
    ("en_cant_go_on", POSSIBLE, r"\bcan'?t\s+go\s+on\b|\bcannot\s+go\s+on\b|\bcan'?t\s+do\s+this\s+anymore\b|\bgive\s+up\s+on\s+life\b"
     r"|\bwhat'?s\s+the\s+point\s+of\s+(?:living|going\s+on|anything)\b|\bfeel\s+like\s+dying\b|\bdying\s+inside\b", True),
]

# Korean negation follows the verb: "죽고 싶지(는) 않다", "죽고 싶은 마음은 없다", "자해는 안 한다".
_KO_NEGATION_AFTER = re.compile(
    r"^\S{0,4}\s*(?:지|진|지는|지도|지가)\s*않"
    r"|^\S{0,3}\s*(?:절대\s*|결코\s*|전혀\s*)?안\s*(?:해|했|할|합|하|들)"
    r"|^\S{0,3}\s*(?:건|것은|게)\s*아니"
    r"|^\s*[은이]\s*(?:전혀\s*)?없"
)
_KO_NO_INTENT = re.compile(
    r"(?:마음|생각|계획|의도|충동)[은이]?\s*(?:전혀\s*|별로\s*|한\s*번도\s*|조금도\s*)?(?:없|안\s*[해들하]|들지\s*않)"
    r"|적[은이]?\s*(?:한\s*번도\s*)?없"
)
_KO_NEGATION_BEFORE = re.compile(r"(?:절대|결코|전혀)\s*(?:\S+\s*)?$")
# Somebody else's words, reported: "친구가 죽고 싶다고 했다" (the writer's own words are never reported so).
_KO_OTHER_SUBJECT = re.compile(
    r"(?:친구|엄마|아빠|어머니|아버지|남편|아내|아들|딸|언니|오빠|형|누나|동생|그녀|그\s*사람|걔|이웃|주인공|손주|손녀|손자)"
    r"(?:가|이|께서|는|은)\s"
)
_KO_REPORTED_AFTER = re.compile(r"^\S{0,3}?(?:다|라)?고\s*(?:했|말했|하더|한다|하네|하셨|말씀|해서|하니)")
_EN_NEGATORS = re.compile(
    r"\b(?:not|never|don't|doesn't|didn't|won't|wouldn't|isn't|aren't|no\s+longer|no|nor|can't\s+imagine)\b"
    r"(?:\s+\w+){0,3}\s*$"
)
# Somebody else is the subject: "she wanted to die", "the character in the film wanted to die".
_EN_ABOUT_OTHERS = re.compile(
    r"\b(?:he|she|they|his|her|their|the\s+\w+|my\s+(?:friend|son|daughter|neighbou?r|sister|brother|husband|wife)|\w+'s)"
    r"\s+(?:(?!i\b)\w+\s+){0,4}$"
)
# A task, not a life: "숙제를 다 끝내고 싶다".
_KO_TASK_OBJECT = re.compile(r"(?<!모든\s)(?<!모든)\S+[을를]\s*(?:빨리\s*|얼른\s*)?(?:다\s*)?$")
_BEFORE_EXCLUSIONS = {"ko_end_all": _KO_TASK_OBJECT}

_QUOTES = re.compile(r"\"([^\"]{1,200})\"|'([^']{2,200})'|「([^」]{1,200})」|『([^』]{1,200})』")
_EN_SELF_REPORT = re.compile(r"\bi\s+(?:said|say|told\s+\w+|thought|think|wrote|whispered|keep\s+saying|kept\s+thinking)[,:]?\s*$")
_KO_SELF_REPORT = re.compile(r"^\s*(?:이?라고|하고|고|라는\s*생각)\s*(?:혼자\s*|나도\s*모르게\s*|속으로\s*|자꾸\s*|몇\s*번이나\s*)?"
                             r"(?:말했|말하|중얼|되뇌|생각|외쳤|소리|적었|썼)")
_CLAUSES = re.compile(r"[.!?…\n;]+|(?<=[다요죠네])\s*[,，]\s*|\s*,\s*(?:but|and\s+yet|however)\s+|(?:지만|는데도?|으나)\s+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    for curly, straight in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("`", "'")):
        text = text.replace(curly, straight)
    # Apostrophes inside English words are not quotes: "don't" must stay one word.
    text = re.sub(r"(?<=[a-z])'(?=[a-z])", "\u02bc", text)
    return text


def _drop_quotes(text: str) -> str:
    """Quoted words are someone else's, unless the writer says they said or thought them."""
    def replace(match: re.Match) -> str:
        before, after = text[:match.start()], text[match.end():]
        if _EN_SELF_REPORT.search(before) or _KO_SELF_REPORT.match(after):
            return " " + next(g for g in match.groups() if g) + " "
        return " "
    return _QUOTES.sub(replace, text)


def _blank(text: str, patterns: list[str]) -> str:
    for pattern in patterns:
        text = re.sub(pattern, " ", text)
    return text


_COMPILED = [
    (name, level, re.compile(regex), negatable, lang)
    for lang, table in (("ko", _KO_PATTERNS), ("en", _EN_PATTERNS))
    for name, level, regex, negatable in table
]


def _negated(clause: str, match: re.Match, lang: str, name: str) -> bool:
    before, after = clause[:match.start()], clause[match.end():]
    exclusion = _BEFORE_EXCLUSIONS.get(name)
    if exclusion is not None and exclusion.search(before) and not before.rstrip().endswith(("모든 걸", "전부")):
        return True
    if lang == "ko":
        return bool(
            _KO_NEGATION_AFTER.search(after) or _KO_NO_INTENT.search(after[:24])
            or _KO_NEGATION_BEFORE.search(before)
            or (_KO_OTHER_SUBJECT.search(before) and _KO_REPORTED_AFTER.search(after))
        )
    return bool(_EN_NEGATORS.search(before) or _EN_ABOUT_OTHERS.search(before))


def check_text(text: str) -> Finding:
    """The strongest finding in the text (CLEAR beats POSSIBLE beats NONE)."""
    cleaned = _drop_quotes(normalise(text)).replace("\u02bc", "'")
    cleaned = _blank(_blank(cleaned, _KO_IDIOMS), _EN_IDIOMS)
    best = Finding()
    for clause in _CLAUSES.split(cleaned):
        if not clause or not clause.strip():
            continue
        for name, level, pattern, negatable, lang in _COMPILED:
            for match in pattern.finditer(clause):
                if negatable and _negated(clause, match, lang, name):
                    continue
                if level == CLEAR:
                    return Finding(CLEAR, name)
                if best.level == NONE:
                    best = Finding(POSSIBLE, name)
    return best


def despair_probability(probabilities: Mapping[str, float] | None) -> float | None:
    """Sadness + fear from the text model's distribution; None when there is no usable reading.

    Reads emotions by name, so a retrained model with other classes or order still works; values
    that are not numbers are ignored rather than trusted.
    """
    if not probabilities:
        return None
    total = 0.0
    for name in DESPAIR_EMOTIONS:
        value = probabilities.get(name)
        if isinstance(value, int | float) and 0.0 <= float(value) <= 1.0:
            total += float(value)
    return min(total, 1.0)


def confirms(finding: Finding, probabilities: Mapping[str, float] | None) -> bool:
    """Is this a crisis once the text model has read the words? CLEAR always is."""
    if finding.level == CLEAR:
        return True
    if finding.level != POSSIBLE:
        return False
    despair = despair_probability(probabilities)
    return despair is not None and despair >= MODEL_CONFIRMS_AT
