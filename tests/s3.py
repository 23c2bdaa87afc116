"""A local S3 server for the object storage tests: moto in server mode, on a free localhost port,
reached over HTTP by boto3 exactly as production reaches its object store (never a mock object)."""

from __future__ import annotations

import uuid

import boto3
import pytest

from config.settings.backends import default_storage_from_env

REGION = "eu-west-2"


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_server, settings):
    """Uploaded files go to a new bucket on the local S3 server, configured as production is
    (STORAGE_BACKEND=s3 and the AWS_* variables). Yields a boto3 client and the bucket's name, to look
    at what was stored from outside the service."""
    env = {
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": f"uploads-{uuid.uuid4().hex[:12]}",
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_S3_REGION_NAME": REGION,
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )
    client.create_bucket(
        Bucket=env["AWS_STORAGE_BUCKET_NAME"], CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from_env(env, base_dir=None)}
    return client, env["AWS_STORAGE_BUCKET_NAME"]


def stored_keys(client, bucket: str) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def stored_bytes(client, bucket: str, key: str) -> bytes:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()
