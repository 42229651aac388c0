"""JSON for the backup: Django's own format, but every date-time keeps its microseconds.

Django's JSON encoder cuts times to milliseconds (as JavaScript's dates), so a restore would move
every timestamp of the archive and its history; Python's full ISO format loads back exactly.
Registered as "json_exact" (SERIALIZATION_MODULES); its files load as plain "json".
"""

import datetime

from django.core.serializers import json


class ExactEncoder(json.DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class Serializer(json.Serializer):
    def serialize(self, queryset, **options):
        return super().serialize(queryset, **{"cls": ExactEncoder, **options})


Deserializer = json.Deserializer
