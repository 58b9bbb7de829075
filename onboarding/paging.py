"""The page number of a paginated list, read safely from the query string."""
from flask import request

MAX_PAGE = 100_000


def page_arg() -> int:
    """?page=N as a whole number from 1 to MAX_PAGE; anything else reads as page 1."""
    value = request.args.get("page", "1")
    return min(int(value), MAX_PAGE) if value.isdigit() and 0 < len(value) <= 6 and int(value) > 0 else 1
