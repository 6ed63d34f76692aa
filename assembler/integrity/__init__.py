"""What makes a dossier checkable: the manifest, page digests, active content, signatures."""
