"""Sent when crisis help was shown for a reason a caseworker may need to know (committed).

The diary does not import welfare: welfare connects to this and decides, by the member's
consent, whether an urgent alert is raised. kwargs: signal_id (int), owner_id (int).
"""

from django.dispatch import Signal

crisis_signalled = Signal()
