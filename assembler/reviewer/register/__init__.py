"""The reviewers' register: every received application over the years, in one SQLite file.

db.py (schema, migrations, queries) · records.py (pure types) · intake.py (verify and record) ·
crossyear.py (pure cross-year rules) · decisions.py (the committee's append-only decisions) ·
outputs.py (补正通知, 公示名单, 拨款明细, year summary).
"""
