"""The API's JSON parser, with limits on size and nesting.

DRF's JSONParser hands any body to json.loads: `[` repeated 100,000 times made the decoder
recurse until RecursionError, a 500 for anyone, signed in or not. This one refuses a body that is
too large or nested too deeply with a 400 that says so, before any view sees it.
"""

import codecs
import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def nesting_depth(value) -> int:
    """How deeply lists and objects nest in a parsed value (iterative: no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.API_JSON_MAX_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(
                _("This request is larger than %(limit)d KB of JSON. Please send less at a time.")
                % {"limit": limit // 1024}
            )
        too_deep = _("This JSON is nested more than %(depth)d levels deep. Please send a flatter document.") % {
            "depth": settings.API_JSON_MAX_DEPTH
        }
        try:
            data = json.loads(codecs.decode(raw, encoding), parse_constant=self._refuse_constant)
        except RecursionError:
            raise ParseError(too_deep) from None
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(_("This is not valid JSON (%(error)s). Please check the request body.")
                             % {"error": error}) from None
        if nesting_depth(data) > settings.API_JSON_MAX_DEPTH:
            raise ParseError(too_deep)
        return data

    @staticmethod
    def _refuse_constant(name: str):
        # NaN and Infinity are not JSON; Python would accept them and store them in JSON fields.
        raise ValueError(f"{name} is not allowed")
