"""{% wellbeing_prompt %}: the gentle two-weekly offer, on the diary and the tracker."""

from django import template

from diary.wellbeing.selectors import prompt_due

register = template.Library()


@register.inclusion_tag("wellbeing/_prompt.html", takes_context=True)
def wellbeing_prompt(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    due = bool(user is not None and user.is_authenticated and prompt_due(user=user))
    return {"due": due, "request": request, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("wellbeing/entry_help.html", takes_context=True)
def entry_crisis_help(context, entry) -> dict:
    from diary.wellbeing.selectors import entry_help_level

    return {"level": entry_help_level(entry=entry), "request": context.get("request")}


@register.simple_tag(takes_context=True)
def wellbeing_tracker_state(context) -> dict:
    """{% wellbeing_tracker_state as wellbeing %}: the prompt and the trend for the tracker (two queries)."""
    from diary.services import today_for
    from diary.wellbeing.selectors import tracker_state

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"due": False, "trend": []}
    return tracker_state(user=user, today=today_for(user))
