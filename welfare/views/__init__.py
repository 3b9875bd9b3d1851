"""HTML views: the member's consent pages (member.py) and the caseworker's pages (caseworker.py)."""
