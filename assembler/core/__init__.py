"""The pure core: application and checklist types, findings, matching, rules, awards. Reads nothing."""
