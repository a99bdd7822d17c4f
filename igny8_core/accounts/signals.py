"""Signals that other apps receive, so accounts never imports them."""

from django.dispatch import Signal

# Sent after a site's time zone changed, with `site`. The automation schedule re-anchors the
# site's next scheduled run to the new local time.
site_timezone_changed = Signal()
