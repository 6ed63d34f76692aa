"""Reading an application: sources (folder or zip), YAML, the ledger, evidence discovery, checklists
and calls."""
