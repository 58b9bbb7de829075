"""The page number of a paginated list, read safely from the query string."""
from flask import request

MAX_PAGE = 100_000


def page_arg() -> int:
    """?page=N as a whole number from 1 to MAX_PAGE; anything else reads as page 1."""
    value = request.args.get("page", "1")
    return min(int(value), MAX_PAGE) if value.isdigit() and 0 < len(value) <= 6 and int(value) > 0 else 1


def paginate(query, per_page: int):
    """A page of the query for ?page=: junk or 0 reads as page 1, and a page past the end as the last page, so the
    pager never says "page 999 of 7"."""
    from .extensions import db

    page = db.paginate(query, page=page_arg(), per_page=per_page, error_out=False)
    if page.pages and page.page > page.pages:
        page = db.paginate(query, page=page.pages, per_page=per_page, error_out=False)
    return page
