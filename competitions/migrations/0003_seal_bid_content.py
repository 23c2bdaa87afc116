"""Bid content encrypted at rest (ADR 7): the columns become text holding Fernet tokens, and the
values already stored (and the bid documents already uploaded) are encrypted in place under the
first key in BID_ENCRYPTION_KEYS. A partner's organisation is no longer a foreign key: its id is
sealed like the partner's name. Reversible: going back decrypts everything again."""

# ruff: noqa: S608 -- table and column names are the constants below, quoted; every value is a parameter.
import json
from decimal import Decimal

import django.core.validators
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations

import competitions.sealing

# (table, column, how the plain value is written as text)
COLUMNS = [
    ("competitions_bidanswer", "text", "text"),
    ("competitions_bidanswer", "confirmed", "boolean"),
    ("competitions_bidprice", "amount", "money"),
    ("competitions_bidpartner", "name", "text"),
    ("competitions_bidpartner", "share_percent", "money"),
    ("competitions_bidpartner", "work_description", "text"),
    ("competitions_bidpartner", "sealed_organisation", "integer"),
    ("competitions_bid", "submitted_content", "json"),
    ("competitions_biddocument", "title", "text"),
]


def _plain(kind: str, value) -> str:
    """A value as the column held it before (numeric, boolean, JSON or text, as each database
    casts it to text), written the way the sealed field writes it."""
    text = str(value)
    if kind == "money":
        return f"{Decimal(text):.2f}"
    if kind == "boolean":
        return "true" if text.lower() in ("true", "1", "t") else "false"
    if kind == "integer":
        return str(int(text))
    if kind == "json":
        return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text


def _rows(schema_editor, table: str, column: str):
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)} WHERE {quote(column)} IS NOT NULL")
        return cursor.fetchall()


def _write(schema_editor, table: str, column: str, pk: int, value: str) -> None:
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s", [value, pk])


def copy_partner_organisations(apps, schema_editor):
    for pk, organisation_id in _rows(schema_editor, "competitions_bidpartner", "organisation_id"):
        _write(schema_editor, "competitions_bidpartner", "sealed_organisation", pk, str(organisation_id))


def seal_values(apps, schema_editor):
    for table, column, kind in COLUMNS:
        for pk, value in _rows(schema_editor, table, column):
            token = competitions.sealing.seal_value(_plain(kind, value).encode("utf-8")).decode("ascii")
            _write(schema_editor, table, column, pk, token)
    for pk, name in _rows(schema_editor, "competitions_biddocument", "file"):
        if not name or not default_storage.exists(name):
            continue
        with default_storage.open(name, "rb") as stored:
            data = stored.read()
        default_storage.delete(name)
        saved = default_storage.save(name, ContentFile(competitions.sealing.seal_file(data)))
        if saved != name:
            _write(schema_editor, "competitions_biddocument", "file", pk, saved)


def unseal_values(apps, schema_editor):
    for table, column, _kind in COLUMNS:
        for pk, value in _rows(schema_editor, table, column):
            _write(
                schema_editor,
                table,
                column,
                pk,
                competitions.sealing.unseal_value(value.encode("ascii")).decode("utf-8"),
            )
    for pk, name in _rows(schema_editor, "competitions_biddocument", "file"):
        if not name or not default_storage.exists(name):
            continue
        with default_storage.open(name, "rb") as stored:
            data = stored.read()
        default_storage.delete(name)
        saved = default_storage.save(name, ContentFile(competitions.sealing.unseal_file(data)))
        if saved != name:
            _write(schema_editor, "competitions_biddocument", "file", pk, saved)


def copy_partner_organisations_back(apps, schema_editor):
    for pk, organisation_id in _rows(schema_editor, "competitions_bidpartner", "sealed_organisation"):
        _write(schema_editor, "competitions_bidpartner", "organisation_id", pk, int(organisation_id))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("competitions", "0002_document_public"),
    ]

    operations = [
        migrations.AddField(
            model_name="bidpartner",
            name="sealed_organisation",
            field=competitions.sealing.SealedIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(copy_partner_organisations, copy_partner_organisations_back),
        migrations.AlterField(
            model_name="bid",
            name="submitted_content",
            field=competitions.sealing.SealedJSONField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="bidanswer",
            name="confirmed",
            field=competitions.sealing.SealedBooleanField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="bidanswer",
            name="text",
            field=competitions.sealing.SealedTextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="biddocument",
            name="title",
            field=competitions.sealing.SealedTextField(max_length=200),
        ),
        migrations.AlterField(
            model_name="bidpartner",
            name="name",
            field=competitions.sealing.SealedTextField(max_length=200),
        ),
        migrations.AlterField(
            model_name="bidpartner",
            name="share_percent",
            field=competitions.sealing.SealedDecimalField(
                decimal_places=2,
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(100),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="bidpartner",
            name="work_description",
            field=competitions.sealing.SealedTextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="bidprice",
            name="amount",
            field=competitions.sealing.SealedDecimalField(
                decimal_places=2, max_digits=14, validators=[django.core.validators.MinValueValidator(0)]
            ),
        ),
        migrations.RunPython(seal_values, unseal_values),
        migrations.RemoveField(model_name="bidpartner", name="organisation"),
        migrations.RenameField(model_name="bidpartner", old_name="sealed_organisation", new_name="organisation_id"),
    ]
