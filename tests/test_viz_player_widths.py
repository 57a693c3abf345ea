"""The page draws each record once and its steps write their numbers into it: each field is drawn with the
longest text any step writes there. The update's data ("data 0.6" where "data 0" was) was given no room
(the whole width went to the gradient's field) and ran over the record's border."""

import re

from autograd import Value
from nn.optim import SGD
from viz.html import page_html


def drawn_fields(page: str) -> dict[str, list[str]]:
    """Each named record's field texts as the page's SVG draws them, before its script writes any step's."""
    records = re.findall(r'<g id="v\d+" class="node">(.*?)</g>', page[page.index("<svg") :], re.S)
    fields = [re.findall(r">([^<]*)</text>", body) for body in records]
    return {texts[0]: texts[1:] for texts in fields if len(texts) > 1}


def test_a_records_data_field_is_drawn_as_wide_as_the_update_writes_it():
    w = Value(0.0, label="w")
    loss = (w * 3.0 - 1.0) ** 2
    loss.label = "loss"
    page = page_html(loss, optimizer=SGD([w], lr=0.1))  # w: 0 → 0.6, the update's step writes "data 0.6"
    assert '"data 0.6"' in page and '"data 0"' in page  # what the steps write
    assert drawn_fields(page)["w"] == ["data 0.6", "grad not computed"]  # drawn wide enough for either
