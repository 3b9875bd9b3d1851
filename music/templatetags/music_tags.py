from django import template

from music import services
from music.links import youtube_embed_url

register = template.Library()


@register.inclusion_tag("music/_entry_recommendations.html", takes_context=True)
def entry_recommendations(context, entry):
    """The entry's stored recommendations (computed now if there are none yet and the entry has a
    mood: matching takes milliseconds)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if entry is None or user is None or not user.is_authenticated or entry.owner_id != user.pk:
        return {"show": False}
    recommendation_set = services.recommendations_get(entry=entry)
    items = services.recommendation_items(recommendation_set)
    return {
        "show": True,
        "entry": entry,
        "items": [{"item": item, "embeddable": bool(youtube_embed_url(item.track.youtube_url))} for item in items],
        "recommendation_set": recommendation_set,
        "here": request.get_full_path(),
        "request": request,
    }
