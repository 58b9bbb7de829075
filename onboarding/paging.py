"""The page number of a paginated list, read safely from the query string."""
from flask import request

MAX_PAGE = 100_000
MAX_ID = 2**31 - 1  # the largest id the database's integer columns hold (PostgreSQL refuses to compare past it)


def bounded_int(text: str, low: int = 0, high: int = MAX_ID) -> int | None:
    """`text` as a whole number from `low` to `high` when it is one written in decimal digits, else None: never an
    error, whatever a query string or a form holds ("²" is a digit Python cannot read as a number, and a number
    past what a column holds is one PostgreSQL refuses)."""
    if not text.isdecimal() or len(text) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def page_arg() -> int:
    """?page=N as a whole number from 1 to MAX_PAGE; anything else reads as page 1."""
    return min(bounded_int(request.args.get("page", "1"), 1) or 1, MAX_PAGE)


def paginate(query, per_page: int):
    """A page of the query for ?page=: junk or 0 reads as page 1, and a page past the end as the last page, so the
    pager never says "page 999 of 7"."""
    from .extensions import db

    page = db.paginate(query, page=page_arg(), per_page=per_page, error_out=False)
    if page.pages and page.page > page.pages:
        page = db.paginate(query, page=page.pages, per_page=per_page, error_out=False)
    return page
