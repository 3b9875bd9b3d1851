from django import template
from django.template.loader import render_to_string

from music.compositions.forms import ComposeForm
from music.compositions.selectors import composition_list_for_entry

register = template.Library()


@register.simple_tag(takes_context=True)
def entry_compositions(context, entry) -> str:
    """The "Compose a piece for this mood" section of an entry page (the owner's pieces only)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated or entry.owner_id != request.user.pk:
        return ""
    from inference.selectors import entry_mood

    return render_to_string(
        "compositions/_section.html",
        {
            "entry": entry,
            "mood": entry_mood(entry=entry),
            "form": ComposeForm(auto_id=f"compose-{entry.pk}-%s"),
            "compositions": composition_list_for_entry(user=request.user, entry=entry),
        },
        request=request,
    )
