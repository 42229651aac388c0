import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from ..views.wording import claim_amount, normalised_amount

register = template.Library()

# Inside <script>, "</script>" or "<!--" in a title would end or change the element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def amount(claim, style=""):
    """{{ claim|amount }} -> "about 1,500 t"; {{ claim|amount:"words" }} -> "about 1,500 tonnes"."""
    return claim_amount(claim, words=style == "words")


@register.filter
def normalised(claim):
    return normalised_amount(claim)


@register.filter
def jsonld(data):
    """A JSON-LD block whose text can never close the script element it sits in."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
