"""The zone union's side: verify one dossier, review a batch, the register across years."""
