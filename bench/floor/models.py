from django.db import models


class Entry(models.Model):
    """The one row the floor's form POST inserts."""

    text = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
