"""What the machine provides and how we use it: per-user folders and the conversion cache, other programs
(run, timed and killed as one), the CJK font, the run's temporary folder, and `dossier doctor`."""
