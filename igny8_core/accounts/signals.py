"""Signals that other apps receive, so accounts never imports them."""

from django.dispatch import Signal

# Sent after a site's time zone changed, with `site`. The automation schedule re-anchors the
# site's next scheduled run to the new local time.
site_timezone_changed = Signal()

# Sent inside the transaction that deletes a site, with `site` (its row locked). A receiver that
# needs the site to stay raises accounts.services.SiteInUse; the automation refuses while a run
# is active or paused, so no run loses its site mid-item.
site_deleting = Signal()
