import html

from django import template

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        # As text, whitespace collapsed: escaped again wherever it is written out.
        context[self.name] = " ".join(html.unescape(self.nodelist.render(context)).split())
        return ""


@register.tag
def capture(parser, token):
    """{% capture name %}…{% endcapture %}: the content rendered once, as text, into `name`, so
    that a page's title and description fill its <title> and its link preview's tags alike."""
    _, name = token.split_contents()
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, name)
