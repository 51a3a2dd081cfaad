"""Policy: the benefit rules as dated data, and the engine that prices entitlements with them.

- `parameters/*.yaml`: the dated values with their legal basis (validated by `schema`), mirrored
  into the database by a data migration and `ansinh policy load` (`loader`);
- `params.Parameters`: the values in memory, and the one place that decides which is in force;
- `engine.price`: entitlement periods → an amount per entitlement and month;
- `services` / `selectors`: officers adding dated values; what changed since a payroll.
"""
