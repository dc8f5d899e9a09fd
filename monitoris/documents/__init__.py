"""Document files: the storage backend (content-addressed), content sniffing, and the maintenance commands."""
