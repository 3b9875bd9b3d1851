"""The mood-tag vocabulary: English and Korean names with circumplex coordinates.

Valence (unpleasant -1 … pleasant +1) and arousal (calm -1 … activated +1) are the team's own
placements, anchored on the seven emotions' points in `moodsite.emotions.CIRCUMPLEX` (Russell &
Mehrabian 1977) and on Russell's (1980) circular ordering of affect words: a tag sits near the
emotion words it resembles. They are a starting point for curators, who can move them in the admin.

The first 45 names are the Last.fm mood tags of the shared mood CSVs, so that an import can place
every row; `aliases` lists other spellings found in the wild (the data has "Aggresive").
"""

from typing import NamedTuple


class TagSpec(NamedTuple):
    slug: str
    name_en: str
    name_ko: str
    valence: float
    arousal: float
    aliases: tuple[str, ...] = ()


MOOD_TAGS: tuple[TagSpec, ...] = (
    # --- activated and unpleasant --------------------------------------------------------------
    TagSpec("aggressive", "Aggressive", "공격적인", -0.55, 0.80, ("Aggresive",)),
    TagSpec("angry", "Angry", "화난", -0.65, 0.70),
    TagSpec("fierce", "Fierce", "사나운", -0.45, 0.80),
    TagSpec("scary", "Scary", "무서운", -0.60, 0.60),
    TagSpec("tense", "Tense", "긴장된", -0.45, 0.55),
    TagSpec("intense", "Intense", "강렬한", -0.20, 0.80),
    TagSpec("dramatic", "Dramatic", "극적인", -0.15, 0.60),
    # --- deactivated and unpleasant -----------------------------------------------------------
    TagSpec("sad", "Sad", "슬픈", -0.70, -0.35),
    TagSpec("gloomy", "Gloomy", "우울한", -0.65, -0.40),
    TagSpec("melancholy", "Melancholy", "구슬픈", -0.55, -0.40),
    TagSpec("lonely", "Lonely", "외로운", -0.60, -0.45),
    TagSpec("han", "Sorrowful longing", "한스러운", -0.45, -0.15),
    TagSpec("cold", "Cold", "차가운", -0.35, -0.10),
    TagSpec("sentimental", "Sentimental", "감상적인", -0.15, -0.30),
    TagSpec("solemn", "Solemn", "엄숙한", -0.15, -0.35),
    TagSpec("bittersweet", "Bittersweet", "애틋한", -0.10, -0.15),
    # --- near the centre ----------------------------------------------------------------------
    TagSpec("serious", "Serious", "심각한", -0.20, 0.05),
    TagSpec("mysterious", "Mysterious", "신비로운", -0.10, 0.15),
    TagSpec("complex", "Complex", "복잡한", 0.00, 0.25),
    TagSpec("earnest", "Earnest", "진지한", 0.10, 0.05),
    TagSpec("atmospheric", "Atmospheric", "분위기 있는", 0.10, -0.25),
    TagSpec("nostalgic", "Nostalgic", "그리운", 0.05, -0.35),
    TagSpec("stately", "Stately", "위엄 있는", 0.25, 0.10),
    # --- deactivated and pleasant -------------------------------------------------------------
    TagSpec("calm", "Calm", "잔잔한", 0.40, -0.60),
    TagSpec("peaceful", "Peaceful", "평화로운", 0.55, -0.65),
    TagSpec("relaxed", "Relaxed", "편안한", 0.55, -0.55),
    TagSpec("meditative", "Meditative", "명상적인", 0.20, -0.70),
    TagSpec("gentle", "Gentle", "다정한", 0.45, -0.50),
    TagSpec("tender", "Tender", "포근한", 0.50, -0.40),
    TagSpec("dreamy", "Dreamy", "꿈결 같은", 0.35, -0.45),
    TagSpec("intimate", "Intimate", "친밀한", 0.40, -0.30),
    TagSpec("smooth", "Smooth", "부드러운", 0.40, -0.30),
    TagSpec("lyrical", "Lyrical", "서정적인", 0.30, -0.25),
    TagSpec("warm", "Warm", "따뜻한", 0.60, -0.15),
    TagSpec("romantic", "Romantic", "낭만적인", 0.60, -0.05),
    # --- mildly activated and pleasant --------------------------------------------------------
    TagSpec("sweet", "Sweet", "달콤한", 0.65, 0.00),
    TagSpec("lovely", "Lovely", "사랑스러운", 0.70, 0.10),
    TagSpec("sensual", "Sensual", "관능적인", 0.45, 0.05),
    TagSpec("light", "Light", "가벼운", 0.55, 0.10),
    TagSpec("hopeful", "Hopeful", "희망찬", 0.55, 0.15),
    TagSpec("positive", "Positive", "긍정적인", 0.70, 0.35),
    TagSpec("sexy", "Sexy", "섹시한", 0.45, 0.35),
    # --- activated and pleasant ---------------------------------------------------------------
    TagSpec("happy", "Happy", "행복한", 0.85, 0.45),
    TagSpec("cheerful", "Cheerful", "쾌활한", 0.75, 0.50),
    TagSpec("bright", "Bright", "밝은", 0.70, 0.45),
    TagSpec("uplifting", "Uplifting", "힘이 나는", 0.70, 0.50),
    TagSpec("fun", "Fun", "재미있는", 0.75, 0.55),
    TagSpec("playful", "Playful", "장난스러운", 0.70, 0.55),
    TagSpec("festive", "Festive", "흥겨운", 0.80, 0.70),
    TagSpec("triumphant", "Triumphant", "의기양양한", 0.70, 0.70),
    TagSpec("confident", "Confident", "자신만만한", 0.50, 0.45),
    TagSpec("majestic", "Majestic", "장엄한", 0.40, 0.50),
    TagSpec("exciting", "Exciting", "신나는", 0.55, 0.75),
    TagSpec("energetic", "Energetic", "활기찬", 0.45, 0.80),
    TagSpec("epic", "Epic", "웅장한", 0.25, 0.70),
    TagSpec("strong", "Strong", "힘찬", 0.20, 0.65),
    TagSpec("driving", "Driving", "질주하는", 0.25, 0.75),
)
