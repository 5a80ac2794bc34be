"""The components of the default pipeline, each a small function over the document's state."""
