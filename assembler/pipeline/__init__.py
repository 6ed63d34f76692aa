"""`dossier build` as named steps over one job, and the pages and PDF assembly they use."""
