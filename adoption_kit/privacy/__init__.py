"""The two privacy boundaries: pseudonyms at ingest, the release gate at publication."""
