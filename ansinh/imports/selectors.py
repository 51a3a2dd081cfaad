"""Reads of import batches. Every list of batches is area-scoped through access.scoping."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from ansinh.access.scoping import restrict

from .models import ImportBatch


def batches_for(user, action: str = "import") -> QuerySet[ImportBatch]:
    return restrict(ImportBatch.objects.all(), user, action).select_related(
        "commune", "province", "uploaded_by")


def batch_get(user, pk: int, action: str = "import") -> ImportBatch:
    """A batch the user may see, or 404 (another area's batch is not even acknowledged)."""
    return get_object_or_404(batches_for(user, action), pk=pk)
