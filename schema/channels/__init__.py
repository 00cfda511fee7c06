"""Channels (issue 15): webhooks and their delivery log; the feeds themselves are plain HTTP (api/feeds.py)."""
