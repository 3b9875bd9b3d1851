"""The mood-tag vocabulary, and the "Curators" group with every permission on the catalogue."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen copy of music.vocabulary.MOOD_TAGS at the time of this migration:
# (slug, English, Korean, valence, arousal, aliases)
TAGS = [
    ("aggressive", "Aggressive", "공격적인", -0.55, 0.80, ["Aggresive"]),
    ("angry", "Angry", "화난", -0.65, 0.70, []),
    ("fierce", "Fierce", "사나운", -0.45, 0.80, []),
    ("scary", "Scary", "무서운", -0.60, 0.60, []),
    ("tense", "Tense", "긴장된", -0.45, 0.55, []),
    ("intense", "Intense", "강렬한", -0.20, 0.80, []),
    ("dramatic", "Dramatic", "극적인", -0.15, 0.60, []),
    ("sad", "Sad", "슬픈", -0.70, -0.35, []),
    ("gloomy", "Gloomy", "우울한", -0.65, -0.40, []),
    ("melancholy", "Melancholy", "구슬픈", -0.55, -0.40, []),
    ("lonely", "Lonely", "외로운", -0.60, -0.45, []),
    ("han", "Sorrowful longing", "한스러운", -0.45, -0.15, []),
    ("cold", "Cold", "차가운", -0.35, -0.10, []),
    ("sentimental", "Sentimental", "감상적인", -0.15, -0.30, []),
    ("solemn", "Solemn", "엄숙한", -0.15, -0.35, []),
    ("bittersweet", "Bittersweet", "애틋한", -0.10, -0.15, []),
    ("serious", "Serious", "심각한", -0.20, 0.05, []),
    ("mysterious", "Mysterious", "신비로운", -0.10, 0.15, []),
    ("complex", "Complex", "복잡한", 0.00, 0.25, []),
    ("earnest", "Earnest", "진지한", 0.10, 0.05, []),
    ("atmospheric", "Atmospheric", "분위기 있는", 0.10, -0.25, []),
    ("nostalgic", "Nostalgic", "그리운", 0.05, -0.35, []),
    ("stately", "Stately", "위엄 있는", 0.25, 0.10, []),
    ("calm", "Calm", "잔잔한", 0.40, -0.60, []),
    ("peaceful", "Peaceful", "평화로운", 0.55, -0.65, []),
    ("relaxed", "Relaxed", "편안한", 0.55, -0.55, []),
    ("meditative", "Meditative", "명상적인", 0.20, -0.70, []),
    ("gentle", "Gentle", "다정한", 0.45, -0.50, []),
    ("tender", "Tender", "포근한", 0.50, -0.40, []),
    ("dreamy", "Dreamy", "꿈결 같은", 0.35, -0.45, []),
    ("intimate", "Intimate", "친밀한", 0.40, -0.30, []),
    ("smooth", "Smooth", "부드러운", 0.40, -0.30, []),
    ("lyrical", "Lyrical", "서정적인", 0.30, -0.25, []),
    ("warm", "Warm", "따뜻한", 0.60, -0.15, []),
    ("romantic", "Romantic", "낭만적인", 0.60, -0.05, []),
    ("sweet", "Sweet", "달콤한", 0.65, 0.00, []),
    ("lovely", "Lovely", "사랑스러운", 0.70, 0.10, []),
    ("sensual", "Sensual", "관능적인", 0.45, 0.05, []),
    ("light", "Light", "가벼운", 0.55, 0.10, []),
    ("hopeful", "Hopeful", "희망찬", 0.55, 0.15, []),
    ("positive", "Positive", "긍정적인", 0.70, 0.35, []),
    ("sexy", "Sexy", "섹시한", 0.45, 0.35, []),
    ("happy", "Happy", "행복한", 0.85, 0.45, []),
    ("cheerful", "Cheerful", "쾌활한", 0.75, 0.50, []),
    ("bright", "Bright", "밝은", 0.70, 0.45, []),
    ("uplifting", "Uplifting", "힘이 나는", 0.70, 0.50, []),
    ("fun", "Fun", "재미있는", 0.75, 0.55, []),
    ("playful", "Playful", "장난스러운", 0.70, 0.55, []),
    ("festive", "Festive", "흥겨운", 0.80, 0.70, []),
    ("triumphant", "Triumphant", "의기양양한", 0.70, 0.70, []),
    ("confident", "Confident", "자신만만한", 0.50, 0.45, []),
    ("majestic", "Majestic", "장엄한", 0.40, 0.50, []),
    ("exciting", "Exciting", "신나는", 0.55, 0.75, []),
    ("energetic", "Energetic", "활기찬", 0.45, 0.80, []),
    ("epic", "Epic", "웅장한", 0.25, 0.70, []),
    ("strong", "Strong", "힘찬", 0.20, 0.65, []),
    ("driving", "Driving", "질주하는", 0.25, 0.75, []),
]
CURATOR_MODELS = ("track", "moodtag")


def forwards(apps, schema_editor):
    MoodTag = apps.get_model("music", "MoodTag")
    for slug, name_en, name_ko, valence, arousal, aliases in TAGS:
        MoodTag.objects.get_or_create(
            slug=slug,
            defaults={"name_en": name_en, "name_ko": name_ko, "valence": valence, "arousal": arousal,
                      "aliases": aliases},
        )
    # Permissions are normally created after all migrations; create music's now so the group gets them.
    music_config = apps.get_app_config("music")
    music_config.models_module = True
    create_permissions(music_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Curators")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="music", content_type__model__in=CURATOR_MODELS)
    )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("music", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
