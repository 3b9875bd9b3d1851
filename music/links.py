"""Which links can be played inside our pages."""

import re
from urllib.parse import parse_qs, urlsplit

_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "www.youtube-nocookie.com",
          "youtube-nocookie.com"}


def youtube_video_id(url: str) -> str | None:
    """The video id of a YouTube video link (watch, youtu.be, embed, shorts); None for anything
    else — search results, channels and playlists cannot be embedded as one video."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    candidate = None
    if host == "youtu.be":
        candidate = parts.path.strip("/").split("/")[0]
    elif host in _HOSTS:
        if parts.path == "/watch":
            candidate = (parse_qs(parts.query).get("v") or [""])[0]
        else:
            pieces = parts.path.strip("/").split("/")
            if len(pieces) >= 2 and pieces[0] in ("embed", "shorts", "live", "v"):
                candidate = pieces[1]
    return candidate if candidate and _VIDEO_ID.match(candidate) else None


def youtube_embed_url(url: str, *, autoplay: bool = False) -> str | None:
    video = youtube_video_id(url)
    if video is None:
        return None
    # The privacy-enhanced host: no YouTube cookies until the person plays the video.
    return f"https://www.youtube-nocookie.com/embed/{video}" + ("?autoplay=1" if autoplay else "")
