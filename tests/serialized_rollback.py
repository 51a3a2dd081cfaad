"""A faster restore for the transactional tests' `serialized_rollback`.

A transactional test (threads on PostgreSQL, the browser tests) empties the database when it
ends, and the next one gets back what the migrations loaded (the administrative units, ~14,000
rows) from a copy Django serialised at the start. Django restores it with one `save()` per
object: 12–20 s before every such test on PostgreSQL. The same rows are inserted here per
model with `bulk_create`, in one transaction with the constraints checked at its end, as
Django's own restore does.
"""

from collections import defaultdict
from io import StringIO

from django.core import serializers
from django.db import transaction
from django.db.backends.base.creation import BaseDatabaseCreation


def deserialize_db_from_string(self, data):
    alias = self.connection.alias
    by_model = defaultdict(list)
    empty: dict[type, bool] = {}
    with transaction.atomic(using=alias):
        with self.connection.constraint_checks_disabled():
            for obj in serializers.deserialize("json", StringIO(data), using=alias):
                model = type(obj.object)
                if model not in empty:
                    empty[model] = not model._base_manager.using(alias).exists()
                if empty[model] and not obj.m2m_data and not obj.deferred_fields:
                    by_model[model].append(obj.object)
                else:
                    # Rows the flush's post_migrate wrote again (content types, permissions)
                    # or relations beyond the row: Django's way, an update or an insert.
                    obj.save()
            for model, objects in by_model.items():
                model._base_manager.using(alias).bulk_create(objects, batch_size=2000)
        self.connection.check_constraints(
            table_names=[model._meta.db_table for model in empty])


def install() -> None:
    BaseDatabaseCreation.deserialize_db_from_string = deserialize_db_from_string
