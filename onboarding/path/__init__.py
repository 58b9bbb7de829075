"""The path: where a trainee stands on the four stages, what gates readiness, when they will be ready.

A low room that every feature reads. `progress`, `gates` and `forecast` are pure rules (no Flask, no
database). `service` gathers a trainee's facts for them; the features that own those facts hand in
their loaders when the application starts (`install`), so this room imports no feature and every
feature may import it. Dashboards and decisions (readiness) sit above the features and read it too.
"""
