"""Dates as articles print them, accepted wherever an editor types one."""

from datetime import datetime

from django import forms

# ISO first: the form's own rendering. Day and month in words, either order; never 04/06/2019,
# which is 4 June in London and 6 April in New York.
FORMATS = ["%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B, %Y"]
HINT = "Enter a date as 2019-06-04, 4 June 2019 or June 4, 2019."


def read_date(text):
    """The date `text` prints in one of `FORMATS` ("Sept." read as "Sep"), or None."""
    text = " ".join(text.replace(".", " ").split()).replace("Sept ", "Sep ").replace("sept ", "sep ")
    for pattern in FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class PrintedDateField(forms.DateField):
    default_error_messages = {"invalid": HINT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown as it is read back: the locale's first format is 04/06/2019, which is refused.
        self.widget.format = FORMATS[0]

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            day = read_date(value.strip())
            if day is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            return day
        return super().to_python(value)
