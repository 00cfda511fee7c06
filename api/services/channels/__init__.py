"""Channels (issue 15): one entry, many channels. Atom feeds of public documents (feeds.py); the
outbox of document events written in the change's transaction (outbox.py), webhooks and their
delivery log (webhooks.py), delivered outside the request (delivery.py); the provincial catalog
system's fields as an export and a pull feed (catalog.py)."""
