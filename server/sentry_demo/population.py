"""Who and what the demo's events come from: end users' names and cities, browsers and devices, and
the commit messages releases are built from. Plain data, combined deterministically by `data.py`.
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Liam",
    "Olivia",
    "Noah",
    "Emma",
    "Mateo",
    "Ava",
    "Lucas",
    "Mia",
    "Amir",
    "Sofia",
    "Kenji",
    "Zara",
    "Jonas",
    "Priya",
    "Tomás",
    "Ines",
    "Kwame",
    "Lena",
)
LAST_NAMES: tuple[str, ...] = (
    "Smith",
    "Garcia",
    "Müller",
    "Rossi",
    "Nguyen",
    "Kowalski",
    "Silva",
    "Tanaka",
    "Haddad",
    "Okafor",
    "Jensen",
    "Dubois",
    "Patel",
    "Novak",
)
CITIES: tuple[tuple[str, str, str], ...] = (
    ("US", "San Francisco", "California"),
    ("US", "Austin", "Texas"),
    ("DE", "Berlin", "Berlin"),
    ("GB", "London", "England"),
    ("FR", "Lyon", "Auvergne-Rhone-Alpes"),
    ("BR", "Sao Paulo", "Sao Paulo"),
    ("JP", "Osaka", "Osaka"),
    ("IN", "Bengaluru", "Karnataka"),
    ("CA", "Toronto", "Ontario"),
)
BROWSERS: tuple[tuple[str, str, str, str], ...] = (
    ("Chrome", "131.0.0", "Windows", "10"),
    ("Chrome", "132.0.0", "Mac OS X", "14.6"),
    ("Safari", "18.2", "Mac OS X", "15.2"),
    ("Firefox", "134.0", "Ubuntu", "24.04"),
    ("Mobile Safari", "18.1", "iOS", "18.1"),
    ("Edge", "131.0.0", "Windows", "11"),
)
DEVICES: tuple[tuple[str, str], ...] = (
    ("iPhone15,2", "17.6.1"),
    ("iPhone16,1", "18.1"),
    ("iPhone14,7", "18.2"),
    ("iPad13,18", "17.7"),
)
COMMIT_MESSAGES: tuple[str, ...] = (
    "fix(checkout): guard against an empty cart",
    "feat(search): rank exact SKU matches first",
    "chore(deps): bump sentry sdk",
    "fix(billing): retry card declines once",
    "perf(orders): prefetch items",
    "feat(account): allow editing the shipping address",
    "fix(api): return 404 for unknown coupons",
    "refactor(cart): move totals into a selector",
    "fix(ios): avoid force unwrap in checkout",
    "feat(export): stream large CSV exports",
    "fix(inventory): handle missing SKUs",
    "test(checkout): cover tax rounding",
    "fix(i18n): format prices with the user's locale",
)
