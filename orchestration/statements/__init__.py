"""Customer usage statements: one HTML page (and its PDF) per invoice, from the marts only.

    data.py     what a statement shows, read from the marts
    chart.py    the inline SVG bar chart of a meter's daily usage
    render.py   the HTML page (templates/statement.html.j2) and the index
    writer.py   the files: written atomically, only when changed; PDFs through browser.py
    browser.py  one headless chromium for many pages (DevTools protocol over a pipe)

No Dagster here: the asset is orchestration/assets/statements.py; `python -m
orchestration.statements` (make statements) writes them outside Dagster.
"""
