"""`dossier serve`: a local web app on the same library, for people who do not use a terminal."""
